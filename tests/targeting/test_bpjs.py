"""Loading BPJS person-level files: reconciliation answer, history per file, the newest file authoritative,
registry KPJ filled but names never overwritten, enrolments moved, scope and masking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.targeting.lists_world import AS_OF, BPJS, BPJS_AS_OF, SUKARAMI, add_lina, load_world
from ucj.registry.models import Participant
from ucj.targeting import services
from ucj.targeting.models import BpjsFile, BpjsRecord, Enrolment, EnrolmentEvent

pytestmark = pytest.mark.django_db


def test_reconciliation_answer() -> None:
    report = load_world()["bpjs"]
    assert (report.rows, report.accepted, report.active, report.inactive) == (4, 4, 2, 2)
    assert report.unknown == ["1606011212900011"]  # nobody else holds Orang Lain
    assert report.not_in_bpjs == ["1606015010900010"]  # Lina: in the registry of Sukarami, unknown to BPJS
    assert report.disagreements == [{"nik": "1606012303880008", "field": "name", "ours": "Hasan Basri",
                                     "theirs": "Hasan Basri Bin Umar", "source": "daftar/list"}]  # fmt: skip
    assert [(f.row, f.code) for f in report.findings] == [(4, "NAME_DISAGREES")]
    records = BpjsRecord.objects.filter(file_id=report.file_id)
    joko = records.get(nik="1606010101800005")
    assert (joko.status, joko.kpj, joko.last_paid, joko.segment, joko.desa_id) == (
        "nonaktif", "24010000005", dt.date(2026, 5, 1), "BPU", SUKARAMI)
    assert records.get(nik="1606011212900011").desa_id is None


def test_registry_kpj_filled_names_never_overwritten() -> None:
    Participant.objects.create(nik="1606015203920004", name="Ani R.", desa_id=SUKARAMI,
                               birth_date=dt.date(1992, 3, 12))  # fmt: skip
    report = services.import_bpjs(BPJS.encode(), "bpjs.csv", as_of=BPJS_AS_OF)
    ani = Participant.objects.get(nik="1606015203920004")
    assert (ani.kpj, ani.name) == ("24010000004", "Ani R.")
    assert report.registry_updated == 1 and report.matched_registry == 1
    assert {"nik": "1606015203920004", "field": "name", "ours": "Ani R.", "theirs": "Ani Rahma",
            "source": "registri/registry"} in report.disagreements  # fmt: skip


def test_history_per_file_and_the_newest_file_wins() -> None:
    load_world()
    later = BPJS.replace("non-aktif", "AKTIF")  # Joko paid again
    services.import_bpjs(later.encode(), "bpjs-des.csv", as_of=dt.date(2026, 11, 20))
    assert BpjsRecord.objects.filter(nik="1606010101800005").count() == 2
    result = services.candidates(None, SUKARAMI, as_of=AS_OF, context="export")
    assert "1606010101800005" not in result.frame["nik"].to_list()
    before = services.candidates(None, SUKARAMI, as_of=dt.date(2026, 11, 10), context="export")
    assert "1606010101800005" in before.frame["nik"].to_list()  # as of 10 Nov, the 1 Nov file still holds


def test_bpjs_file_moves_enrolments_and_an_older_file_does_not() -> None:
    add_lina()
    services.import_list(b"NIK,Nama,Tgl Lahir,Pekerjaan\n1606010101800005,Joko Susilo,01-01-1980,Petani\n"
                         b"1606012303880008,Hasan Basri,23-03-1988,Nelayan\n", "p.csv", source="Penduduk",
                         region=SUKARAMI)  # fmt: skip
    assert services.create_worklist(None, SUKARAMI, as_of=AS_OF) == {"created": 2, "already": 0}
    report = services.import_bpjs(BPJS.replace("Tidak Aktif ", "Aktif").encode(), "b.csv", as_of=BPJS_AS_OF)
    assert report.moved == {"registered": 1, "active": 1}
    joko = Enrolment.objects.get(nik="1606010101800005")
    hasan = Enrolment.objects.get(nik="1606012303880008")
    assert (joko.status, joko.kpj, hasan.status, hasan.kpj) == ("registered", "24010000005", "active", "24010000008")
    assert hasan.active_at is not None
    assert EnrolmentEvent.objects.filter(enrolment=hasan, via="bpjs_file", from_status="identified",
                                         to_status="active").exists()  # fmt: skip
    old = services.import_bpjs(BPJS.encode(), "old.csv", as_of=dt.date(2026, 6, 1))
    assert old.moved == {}
    assert Enrolment.objects.get(nik="1606012303880008").status == "active"


def test_rejected_rows_and_dry_run() -> None:
    text = BPJS + "1606010101800099,1,X,01-01-1980,BPU,,\n1606010101800098,2,Y,01-01-1980,BPU,meninggal,\n" \
        "1606010101800005,3,Joko,01-01-1980,BPU,aktif,\n"  # fmt: skip
    report = services.import_bpjs(text.encode(), "b.csv", as_of=BPJS_AS_OF, dry_run=True)
    assert {(f.row, f.code) for f in report.findings} >= {(6, "STATUS_MISSING"), (7, "STATUS_UNKNOWN"),
                                                          (8, "DUPLICATE_IN_FILE")}  # fmt: skip
    assert (report.rows, report.accepted, report.rejected) == (7, 4, 3)
    assert not BpjsFile.objects.exists()


def test_scope_and_masking(make_user: Callable[..., Any]) -> None:
    load_world()
    palembang = make_user("kabkota", "16.71")
    report = services.import_bpjs(BPJS.encode(), "b.csv", as_of=BPJS_AS_OF, user=palembang, dry_run=True)
    # people known in Musi Banyuasin are not the Palembang officer's; the unknown NIK stays
    assert [f.code for f in report.findings if f.severity == "error"] == ["NIK_OUTSIDE_REGION"] * 3
    assert report.accepted == 1
    bpjs_staff = make_user("bpjs", "16")
    shown = services.import_bpjs(BPJS.encode(), "b.csv", as_of=BPJS_AS_OF, user=bpjs_staff, dry_run=True)
    assert shown.unknown == ["1606011212900011"]
    desa = make_user("desa", SUKARAMI)
    with pytest.raises(services.TargetingRefused):
        services.import_bpjs(BPJS.encode(), "b.csv", user=desa)
