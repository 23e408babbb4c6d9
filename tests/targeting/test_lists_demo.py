"""The demo's targeting data: lists, two BPJS files and Sukarami's worklist along the pipeline, loaded once."""

from __future__ import annotations

import pytest

from ucj.targeting import services
from ucj.targeting.demo import DEMO_DESA, DTSEN_SOURCE, load_targeting_demo

pytestmark = pytest.mark.django_db


def test_demo_targeting_is_loaded_once_and_shows_every_stage() -> None:
    from ucj.accounts.services import create_user
    from ucj.demo.loader import DEMO_USERS

    for username, role, region in DEMO_USERS:
        create_user(username, role=role, region=region, password="Ucj-Test-Password-1")
    summary = load_targeting_demo()
    assert "5 daftar/lists" in summary
    from ucj.targeting.models import BpjsFile, ListSource

    assert ListSource.objects.filter(name=DTSEN_SOURCE).count() == 1 and ListSource.objects.count() == 5
    assert BpjsFile.objects.count() == 2
    funnel = services.funnel(None, DEMO_DESA)
    stages, closed = funnel["stages"], funnel["closed"]
    assert stages["identified"] > 0 and stages["contacted"] == 4
    assert stages["submitted"] + stages["registered"] + stages["active"] == 8
    assert stages["registered"] + stages["active"] == 6  # the second BPJS file knows six of the eight
    assert (closed["declined"], closed["not_found"]) == (2, 1)
    result = services.candidates(None, "16.06.01", context="export")
    assert result.count > 100 and {"asn", "active"} <= set(result.excluded)
    assert load_targeting_demo() == "sasaran sudah dimuat / targeting already loaded"
