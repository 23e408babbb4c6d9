"""The named operations of commitments: validation, scope (kab/kota edits its own region only, a village operator
its village's institutions and APBDes line only, viewers read only, 404 outside the scope), audit, documents and
overdue follow-up actions."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from tests.commitments.backend_world import LUMPATAN, MUBA, PALEMBANG, SUKARAMI, YEAR, make_world
from ucj.accounts.models import AuditEvent
from ucj.commitments import services
from ucj.commitments.models import BudgetCommitment, Instrument, VillageInstitution
from ucj.commitments.services import CommitmentForbidden, CommitmentRefused, Document

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PERBUP = {"region": MUBA, "kind": "perbup", "number": "9 Tahun 2026", "title": "Perlindungan pekerja rentan",
          "status": "draf", "groups": ["pekerja_rentan", "rt", "rw"]}  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_kabkota_officer_edits_own_region_only(world: dict[str, Any], make_user: Any) -> None:
    officer = make_user("kabkota", MUBA)
    made = services.create_instrument(officer, PERBUP)
    assert (made.region_id, made.status, made.groups) == (MUBA, "draf", ["pekerja_rentan", "rt", "rw"])
    services.update_instrument(officer, made.pk, {"status": "ditetapkan", "date": "2026-03-01"})
    made.refresh_from_db()
    assert made.status == "ditetapkan" and made.date == dt.date(2026, 3, 1)
    with pytest.raises(CommitmentForbidden):
        services.create_instrument(officer, {**PERBUP, "region": PALEMBANG, "kind": "perwali"})
    palembang = Instrument.objects.get(region_id=PALEMBANG)
    with pytest.raises(Http404):  # outside the scope: its existence does not leak
        services.update_instrument(officer, palembang.pk, {"status": "ditetapkan"})
    pergub = Instrument.objects.get(region_id="16")
    assert services.get_instrument(officer, pergub.pk) == pergub  # the province's applies to Muba: seen...
    with pytest.raises(CommitmentForbidden):  # ...not changed
        services.update_instrument(officer, pergub.pk, {"status": "dicabut"})
    with pytest.raises(CommitmentForbidden):  # national rows are an administrator's
        services.create_instrument(officer, {**PERBUP, "region": None, "kind": "instruksi"})


def test_changes_are_audited_with_before_and_after(world: dict[str, Any], make_user: Any) -> None:
    officer = make_user("kabkota", MUBA)
    made = services.create_instrument(officer, PERBUP)
    services.update_instrument(officer, made.pk, {"status": "ditetapkan"})
    services.delete_instrument(officer, made.pk)
    events = list(AuditEvent.objects.filter(object_type="instrument").order_by("at", "pk"))
    assert [e.action for e in events] == ["commitments.instrument.create", "commitments.instrument.update",
                                          "commitments.instrument.delete"]  # fmt: skip
    assert events[1].changes == {"status": ["draf", "ditetapkan"]} and events[1].actor == officer
    assert all(e.region_code == MUBA for e in events)


def test_village_operator_keeps_institutions_and_apbdes_line(world: dict[str, Any], make_user: Any) -> None:
    operator = make_user("desa", SUKARAMI)
    row = services.set_institution(operator, SUKARAMI, {"rt": 5, "rw": 2, "source": "Profil desa 2025"})
    assert (row.rt, row.rw, row.kepala_desa) == (5, 2, 1)
    with pytest.raises(Http404):
        services.set_institution(operator, LUMPATAN, {"rt": 9})
    line = services.create_budget(operator, {"region": SUKARAMI, "year": YEAR + 1, "payer": "apbdes", "source": "pad",
                                             "allocated": 2_000_000, "workers": 8})  # fmt: skip
    assert line.source == "pad"
    with pytest.raises(CommitmentForbidden):  # not the kab/kota's APBD
        services.create_budget(operator, {"region": MUBA, "year": YEAR + 1, "payer": "apbd_kabkota",
                                          "allocated": 1})  # fmt: skip
    perdes = services.create_instrument(operator, {**PERBUP, "region": SUKARAMI, "kind": "perdes"})  # their own
    assert (perdes.region_id, perdes.kind) == (SUKARAMI, "perdes")
    with pytest.raises(CommitmentForbidden):  # not the kab/kota's
        services.create_instrument(operator, PERBUP)
    with pytest.raises(CommitmentForbidden):  # nor another desa's
        services.create_instrument(operator, {**PERBUP, "region": LUMPATAN, "kind": "perdes"})


def test_viewer_reads_only(world: dict[str, Any], make_user: Any) -> None:
    viewer = make_user("viewer", "16")
    assert services.visible_budgets(viewer, MUBA, YEAR).count() == 3
    with pytest.raises(CommitmentForbidden):
        services.set_institution(viewer, SUKARAMI, {"rt": 1})
    budget = BudgetCommitment.objects.get(region_id=MUBA, payer="apbd_kabkota")
    with pytest.raises(CommitmentForbidden):
        services.update_budget(viewer, budget.pk, {"allocated": 1})
    assert not services.can_edit(viewer, "budget", MUBA)
    assert services.can_edit(make_user("desa", SUKARAMI), "budget", SUKARAMI, payer="apbdes")


def test_domain_rules_are_refused_with_reasons(world: dict[str, Any]) -> None:
    with pytest.raises(CommitmentRefused, match="kelurahan"):
        services.set_institution(None, "16.06.01.1009", {"rt": 4, "rw": 2, "bpd": 3})
    with pytest.raises(CommitmentRefused, match="kelurahan"):
        services.create_budget(None, {"region": "16.06.01.1009", "year": YEAR, "payer": "apbdes", "source": "add",
                                      "allocated": 1})  # fmt: skip
    with pytest.raises(CommitmentRefused, match=r"kab/kota|regency"):
        services.create_budget(None, {"region": SUKARAMI, "year": YEAR, "payer": "apbd_kabkota", "allocated": 1})
    with pytest.raises(CommitmentRefused, match=r"source|sumber"):
        services.create_budget(None, {"region": SUKARAMI, "year": YEAR, "payer": "apbdes", "allocated": 1})
    with pytest.raises(CommitmentRefused, match="perbup"):
        services.create_instrument(None, {**PERBUP, "region": "16"})
    with pytest.raises(CommitmentRefused, match="groups"):
        services.create_instrument(None, {**PERBUP, "groups": ["astronaut"]})
    with pytest.raises(CommitmentRefused, match="unknown fields"):
        services.create_instrument(None, {**PERBUP, "document_path": "/etc/passwd"})
    with pytest.raises(CommitmentRefused, match="kepala desa"):
        services.set_institution(None, LUMPATAN, {"kepala_desa": 2})
    with pytest.raises(CommitmentRefused):  # the unique key: one line per region, year, payer and source
        services.create_budget(None, {"region": MUBA, "year": YEAR, "payer": "apbd_kabkota", "allocated": 1})
    assert VillageInstitution.objects.get(desa_id=LUMPATAN).kepala_desa == 1


def test_document_is_checked_and_stored_privately(
    world: dict[str, Any], make_user: Any, data_dir: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    officer = make_user("kabkota", MUBA)
    made = services.create_instrument(officer, PERBUP, document=Document(PDF, "../../Perbup 9 2026.pdf"))
    path, name = services.instrument_document(officer, made.pk)
    assert path.read_bytes() == PDF and name == "Perbup 9 2026.pdf"
    assert path.parent.is_relative_to(data_dir) and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert made.document_size == len(PDF) and len(made.document_sha256) == 64
    with pytest.raises(CommitmentRefused, match="PDF"):
        services.update_instrument(officer, made.pk, {}, document=Document(b"MZ\x90\x00 not a pdf", "x.pdf"))
    settings.UCJ_MAX_DOCUMENT_MB = 0
    with pytest.raises(CommitmentRefused, match="UCJ_MAX_DOCUMENT_MB"):
        services.update_instrument(officer, made.pk, {}, document=Document(PDF, "y.pdf"))
    with pytest.raises(Http404):  # Palembang does not see Muba's instrument, nor its document
        services.instrument_document(make_user("kabkota", PALEMBANG), made.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal is committed
        services.remove_document(officer, made.pk)
    with pytest.raises(Http404):
        services.instrument_document(officer, made.pk)
    assert not path.exists()


def test_overdue_actions(world: dict[str, Any], make_user: Any) -> None:
    officer = make_user("kabkota", MUBA)
    overdue = services.visible_actions(officer, overdue_only=True)
    assert [a.owner_id for a in overdue] == [MUBA]
    services.set_action_status(officer, overdue[0].pk, "selesai", note="Perbup ditetapkan")
    assert not services.visible_actions(officer, overdue_only=True).exists()
    assert services.visible_actions(None, overdue_only=True).count() == 1  # Palembang's
    with pytest.raises(CommitmentRefused):
        services.set_action_status(officer, overdue[0].pk, "lupa")
