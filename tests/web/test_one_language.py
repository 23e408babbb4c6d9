"""Pages show one language at a time (issue 16 item 9): a service's bilingual refusal ("id / en", kept for the
CLI and API) reaches the page as the half of the page's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.registry.test_trust import MUBA_NIK, SUKARAMI, run
from ucj.bilingual import in_language
from ucj.registry.models import NikConflict

pytestmark = pytest.mark.django_db


def test_in_language_keeps_a_field_prefix_on_the_english_half() -> None:
    message = "wage: 'x' bukan angka rupiah / is not an amount of rupiah"
    assert in_language(message, "id") == "wage: 'x' bukan angka rupiah"
    assert in_language(message, "en") == "wage: is not an amount of rupiah"
    assert in_language("Satu bahasa", "en") == "Satu bahasa"


def test_a_refused_conflict_decision_is_shown_in_one_language(write_csv: Callable[..., Path], desa_user: Any) -> None:
    run(write_csv, [f"{MUBA_NIK},Siti Aminah,01-01-1990,{SUKARAMI},0811,"], name="v1.csv")
    run(write_csv, [f"{MUBA_NIK},Rina Wati,,{SUKARAMI},0899,"], user=desa_user, name="v2.csv")
    conflict = NikConflict.objects.get()
    client = Client()
    client.force_login(desa_user)
    client.post(f"/registri/konflik/{conflict.pk}/", {"decision": "keep"})
    page = client.post(f"/registri/konflik/{conflict.pk}/", {"decision": "keep"}, follow=True).content.decode()
    assert "Konflik ini sudah diputuskan" in page and "already been decided" not in page
