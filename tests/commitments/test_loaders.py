"""Files in and out: the template workbook loads back; a single CSV/xlsx is recognised by its headers (usual
spellings, title rows, delimiters); bad rows are rejected with their row numbers and nothing is stored."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import python_calamine as calamine

from ucj.accounts.models import AuditEvent
from ucj.commitments import filecheck
from ucj.commitments.filecheck import CommitmentFileError
from ucj.commitments.loaders import load_file, template_bytes
from ucj.commitments.models import BudgetCommitment, FollowUpAction, Instrument, Meeting, VillageInstitution

SUKARAMI, LUMPATAN, KAYU_ARA = "16.06.01.2001", "16.06.01.2002", "16.06.01.1009"
INSTITUTIONS = (
    "Kode Desa;Nama Desa;Kepala Desa;Perangkat Desa;BPD;RT;RW\n"
    f"{SUKARAMI};Sukarami;1;11;7;12;4\n"
    f"{LUMPATAN.replace('.', '')};Lumpatan;1;9;5;8;3\n"  # a code without dots
    f"{KAYU_ARA};Kayu Ara;;;;15;5\n"  # a kelurahan: RT and RW only
)


def _csv(text: str) -> bytes:
    return text.encode()


def test_institutions_csv_with_title_rows_and_semicolons(db: Any) -> None:
    data = _csv("DATA KELEMBAGAAN DESA KAB. MUBA 2025\n\n" + INSTITUTIONS)
    report = load_file(data, "kelembagaan.csv")
    assert report.ok and report.stored and report.sheets[0].kind == "institution"
    assert (report.sheets[0].rows, report.sheets[0].created) == (3, 3)
    rows = {r.desa_id: r for r in VillageInstitution.objects.all()}
    assert (rows[SUKARAMI].perangkat_desa, rows[SUKARAMI].rt) == (11, 12)
    assert rows[LUMPATAN].bpd == 5
    assert (rows[KAYU_ARA].kepala_desa, rows[KAYU_ARA].bpd, rows[KAYU_ARA].rt) == (None, None, 15)
    again = load_file(data, "kelembagaan.csv")
    assert (again.sheets[0].created, again.sheets[0].updated, again.sheets[0].unchanged) == (0, 0, 3)
    assert again.stored and AuditEvent.objects.filter(action="commitments.load").count() == 2  # each load audited


def test_usual_header_spellings(db: Any) -> None:
    data = _csv("KODE DESA,nama desa,Kades,Jumlah Perangkat Desa,Anggota BPD,Jumlah RT,Jumlah RW\n"
                f"{SUKARAMI},Sukarami,1,10,5,6,2\n")  # fmt: skip
    report = load_file(data, "x.csv")
    assert report.ok and VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 10


def test_bad_rows_are_rejected_with_row_numbers_and_nothing_is_stored(db: Any) -> None:
    data = _csv(
        "Kode Desa,Nama Desa,Kepala Desa,Perangkat Desa,BPD,RT,RW\n"  # row 1
        f"{SUKARAMI},Sukarami,1,11,7,12,4\n"  # 2: fine
        f"{LUMPATAN},Lumpatan,2,x,-1,8,\n"  # 3: two kepala desa, 'x', negative, RW missing
        f"{KAYU_ARA},Kayu Ara,1,,3,15,5\n"  # 4: a kelurahan with a kepala desa and BPD
        "99.99.99.9999,Nowhere,1,1,1,1,1\n"  # 5: unknown code
        f"{SUKARAMI},Sukarami,1,1,1,1,1\n"  # 6: Sukarami again
        "16.06,Muba,1,1,1,1,1\n"  # 7: not a village
    )
    report = load_file(data, "bad.csv")
    assert not report.ok and not report.stored
    found = {(f.row, f.code) for f in report.findings if f.severity == "error"}
    assert found == {(3, "KEPALA_DESA_COUNT"), (3, "NUMBER_INVALID"), (3, "NUMBER_NEGATIVE"), (3, "VALUE_MISSING"),
                     (4, "KELURAHAN_NO_DESA_ROLE"), (5, "REGION_UNKNOWN"), (6, "DUPLICATE_ROW"),
                     (7, "REGION_LEVEL")}  # fmt: skip
    assert report.rejected == 5
    assert not VillageInstitution.objects.exists()
    messages = {f.code: f for f in report.findings}
    assert "baris 2" in messages["DUPLICATE_ROW"].message("id") and "row 2" in messages["DUPLICATE_ROW"].message("en")
    assert report.as_json()["issues"][0]["row"] == 3


def test_scope_rows_outside_are_rejected(db: Any, make_user: Any) -> None:
    operator = make_user("desa", SUKARAMI)
    report = load_file(_csv(INSTITUTIONS), "k.csv", user=operator)
    assert {(f.row, f.code) for f in report.findings} == {(3, "REGION_OUT_OF_SCOPE"), (4, "REGION_OUT_OF_SCOPE")}
    assert not VillageInstitution.objects.exists()
    viewer = make_user("viewer", "16")
    assert load_file(_csv(INSTITUTIONS), "k.csv", user=viewer).rejected == 3


def test_dry_run_stores_nothing(db: Any) -> None:
    report = load_file(_csv(INSTITUTIONS), "k.csv", dry_run=True)
    assert report.ok and not report.stored and report.sheets[0].created == 3
    assert not VillageInstitution.objects.exists() and not AuditEvent.objects.filter(action="commitments.load")


def test_template_round_trip(db: Any) -> None:
    data = template_bytes()
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["Petunjuk", *[k.sheet for k in filecheck.KINDS.values()]]
    institutions = book.get_sheet_by_name("Kelembagaan Desa").to_python()
    assert institutions[0][:7] == ["Kode Desa", "Nama Desa", "Kepala Desa", "Perangkat Desa", "BPD", "RT", "RW"]
    report = load_file(data, "template.xlsx", today=dt.date(2026, 1, 10))
    assert report.ok, [f.as_dict() for f in report.findings if f.severity == "error"]
    assert {s.kind for s in report.sheets} == set(filecheck.KINDS)
    assert Instrument.objects.get().kind == "perbup" and Instrument.objects.get().groups == [
        "bpd", "kepala_desa", "pekerja_rentan", "perangkat_desa", "rt", "rw"]
    assert BudgetCommitment.objects.get().allocated == 2_500_000_000
    action = FollowUpAction.objects.get()
    assert action.meeting == Meeting.objects.get() and action.status == "berjalan"  # linked to the file's meeting


def test_actions_must_name_a_known_meeting(db: Any) -> None:
    data = _csv("Tanggal Rapat,Judul Rapat,Kode Wilayah Penanggung Jawab,Tindak Lanjut,Tenggat,Status\n"
                "2024-12-13,Rapat yang tidak ada,16.06,Menyusun Perbup,2025-03-31,rencana\n")  # fmt: skip
    report = load_file(data, "rtl.csv")
    assert [(f.row, f.code) for f in report.findings] == [(2, "MEETING_UNKNOWN")]
    Meeting.objects.create(region_id="16", date=dt.date(2024, 12, 13), title="Rapat yang tidak ada")
    assert load_file(data, "rtl.csv").stored and FollowUpAction.objects.get().meeting is not None


def test_budget_rules(db: Any) -> None:
    data = _csv("Kode Wilayah,Tahun,Pembayar,Sumber APBDes,Pagu (Rp),Jumlah Pekerja\n"
                "16.06,2026,APBD Kabupaten,,Rp 1.500.000.000,7440\n"  # 2: fine (Indonesian thousands, Rp)
                f"{SUKARAMI},2026,APBDes,,10.000.000,40\n"  # 3: APBDes without a source
                f"{KAYU_ARA},2026,APBDes,ADD,10.000.000,40\n"  # 4: a kelurahan has no APBDes
                "16,2026,apbd kabupaten,,1,1\n"  # 5: APBD kab/kota of the province
                f"{SUKARAMI},2026,APBDes,Dana Desa,5.000.000,20\n"  # 6: allowed, with a warning
                "16.06,20266,APBD Kabupaten,,1,1\n")  # 7: year  # fmt: skip
    report = load_file(data, "anggaran.csv")
    assert {(f.row, f.code, f.severity) for f in report.findings} == {
        (3, "SOURCE_REQUIRED", "error"), (4, "KELURAHAN_NO_APBDES", "error"), (5, "REGION_LEVEL", "error"),
        (6, "DANA_DESA_WARNING", "warning"), (7, "YEAR_INVALID", "error")}  # fmt: skip
    assert not BudgetCommitment.objects.exists()


@pytest.mark.parametrize(("data", "code"), [
    (b"", "FILE_EMPTY"), (b"%PDF-1.4 not a sheet", "FILE_NOT_SPREADSHEET"),
    (b"Nama,Alamat\nA,B\n", "FILE_NO_KIND"), (b"Kode Desa,RT,RW,BPD\n", "FILE_NO_ROWS"),
])  # fmt: skip
def test_unreadable_files(db: Any, data: bytes, code: str) -> None:
    with pytest.raises(CommitmentFileError) as err:
        load_file(data, "x.csv")
    assert err.value.finding.code == code
