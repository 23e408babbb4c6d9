"""Issue 16 items 9 and 6, leftovers on the registry's upload pages: a failed batch's reason and a refused
retry in the page's language only; the audit trail's import summaries ("rows, accepted") in the page's
language; the participant edit form's income read by the shared rupiah parser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.registry.test_crash_safety import SUKARAMI, stranded
from ucj.registry import jobs
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db


def client_of(user: Any, language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@pytest.fixture
def died(make_user: Callable[..., Any]) -> tuple[ImportBatch, Any]:
    """A batch its worker died under (reason stored in both languages), its file gone, and its uploader."""
    user = make_user("desa", SUKARAMI)
    batch = stranded(ImportBatch.Status.RUNNING)
    ImportBatch.objects.filter(pk=batch.pk).update(user=user, region_id=SUKARAMI)
    jobs.recover_orphans()
    batch.refresh_from_db()
    jobs.stored_path(batch).unlink()  # type: ignore[union-attr]
    return batch, user


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("id", "Proses impor berhenti karena worker mati; coba lagi", "the worker died"),
    ("en", "the import stopped because the worker died; retry it", "worker mati"),
])  # fmt: skip
def test_a_failed_batch_says_why_in_the_pages_language(died: tuple[ImportBatch, Any], language: str, shown: str,
                                                       hidden: str) -> None:  # fmt: skip
    batch, user = died
    page = client_of(user, language).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert shown in page and hidden not in page


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("id", "unggah berkas itu lagi", "upload it again"), ("en", "upload it again", "unggah berkas itu lagi")],
)
def test_a_refused_retry_says_why_in_the_pages_language(died: tuple[ImportBatch, Any], language: str, shown: str,
                                                        hidden: str) -> None:  # fmt: skip
    batch, user = died
    page = client_of(user, language).post(f"/registri/impor/{batch.pk}/ulang/", follow=True).content.decode()
    assert shown in page and hidden not in page


def test_import_summaries_on_the_audit_page_in_the_pages_language(make_user: Callable[..., Any]) -> None:
    roster = f"NIK,Nama,Kode Desa\n1606014101900012,Siti Aminah,{SUKARAMI}\n1606014101900013,Ani,{SUKARAMI}\n"
    import_roster(roster.encode(), "daftar.csv", dry_run=True)
    import_roster(roster.encode(), "daftar.csv")
    admin = make_user("admin")
    indonesian = client_of(admin, "id").get("/akun/audit/").content.decode()
    assert "daftar.csv: 2 baris, 2 diterima, 0 diperbarui, 0 ditolak" in indonesian
    assert "2 baris, 2 baru, 0 diperbarui, 0 ditolak" in indonesian
    assert " rows, " not in indonesian and " accepted, " not in indonesian  # (the raw changes keep their keys)
    english = client_of(admin, "en").get("/akun/audit/").content.decode()
    assert "daftar.csv: 2 rows, 2 accepted, 0 updated, 0 rejected" in english
    assert "2 rows, 2 new, 0 updated, 0 rejected" in english


@pytest.mark.parametrize(("typed", "stored"), [("Rp 1.500.000,-", 1_500_000), ("1,5 juta", 1_500_000),
                                               ("2.750.000", 2_750_000), ("", None)])  # fmt: skip
def test_the_edit_forms_income_reads_indonesian_amounts(desa_user: Any, typed: str, stored: int | None) -> None:
    siti = Participant.objects.create(nik="1606014101900012", name="Siti Aminah", desa_id=SUKARAMI, segment="BPU",
                                      ecosystem="desa", income=900_000)  # fmt: skip
    url = f"/registri/peserta/{siti.public_hex}/ubah/"
    client = client_of(desa_user, "id")
    assert 'value="900.000"' in client.get(url).content.decode()  # shown as an office writes it
    form = {"name": "Siti Aminah", "desa_code": SUKARAMI, "segment": "BPU", "ecosystem": "desa", "jkk": "on",
            "jkm": "on", "income": typed}  # fmt: skip
    assert client.post(url, form).status_code == 302
    siti.refresh_from_db()
    assert siti.income == stored


def test_the_edit_form_refuses_a_word_for_income(desa_user: Any) -> None:
    siti = Participant.objects.create(nik="1606014101900012", name="Siti Aminah", desa_id=SUKARAMI, segment="BPU",
                                      ecosystem="desa", income=900_000)  # fmt: skip
    form = {"name": "Siti Aminah", "desa_code": SUKARAMI, "segment": "BPU", "ecosystem": "desa", "jkk": "on",
            "jkm": "on", "income": "sejuta lebih"}  # fmt: skip
    page = client_of(desa_user, "id").post(f"/registri/peserta/{siti.public_hex}/ubah/", form)
    assert page.status_code == 200 and "Tulis jumlah rupiah dengan angka" in page.content.decode()
    assert 'value="sejuta lebih"' in page.content.decode()  # what was typed is kept
