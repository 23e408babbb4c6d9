"""The roster import service (ucj.registry.services.import_roster) end to end: counts, stored values, the batch
record, rejected rows and their workbook, dry runs, all-or-nothing writes, region scoping and the upload page."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import python_calamine as calamine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD
from ucj.accounts.models import AuditEvent
from ucj.registry import services
from ucj.registry.exports import BATCH_HEADER, REASON_HEADER, ROW_HEADER, rejected_rows_xlsx
from ucj.registry.models import ImportBatch, ImportIssue, Participant, RejectedRow
from ucj.registry.services import ImportRefused, ImportReport, import_roster, row_outcomes

pytestmark = pytest.mark.django_db

SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
LUMPATAN = "16.06.01.2002"  # a neighbouring village in the same kecamatan
HEADER = "NIK,Nama,Tgl Lahir,L/P,Jabatan,Kode Desa,Program,Segmen,No HP,Penghasilan,Keterangan"


def nik(day: int, month: int, year: int, serial: int, *, female: bool = False, kec: str = "160601") -> str:
    """A structurally valid NIK: kecamatan prefix, birth date (day + 40 for women), serial."""
    return f"{kec}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


SITI = nik(1, 1, 1990, 12, female=True)  # 1606014101900012, the example from the NIK notes
BUDI = nik(15, 5, 1985, 3)
AHMAD = nik(20, 12, 1992, 4)


def clean_lines() -> list[str]:
    return [
        HEADER,
        f'{SITI},Siti Aminah,01-01-1990,P,Kader Posyandu,{SUKARAMI},"JKK, JKM, JHT",BPU,0812-1111-2222,'
        '"Rp 1.500.000",catatan',
        f"{BUDI},Budi Santoso,15/05/1985,L,Kepala Desa,{SUKARAMI},,,081233334444,2500000,",
        f"{AHMAD},Ahmad Fauzi,20 Desember 1992,L,Petani,{SUKARAMI},JKK JKM,,,,",
    ]


def run(path: Path, **kwargs: Any) -> ImportReport:
    return import_roster(path.read_bytes(), path.name, **kwargs)


def read_xlsx(data: bytes) -> list[list[Any]]:
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def assert_balanced(report: ImportReport) -> None:
    assert report.accepted + report.updated + report.rejected == report.rows


# --- a clean roster -----------------------------------------------------------------------------------


def test_clean_roster_is_accepted_and_stored(write_csv: Callable[..., Path]) -> None:
    path = write_csv(clean_lines())
    report = run(path)

    assert (report.rows, report.accepted, report.updated, report.rejected) == (3, 3, 0, 0)
    assert report.batch_id is not None and not report.dry_run
    assert not [f for f in report.findings if f.severity == "error"]
    assert Participant.objects.count() == 3

    siti = Participant.objects.get(nik=SITI)
    assert siti.desa_id == SUKARAMI
    assert siti.name == "Siti Aminah"
    assert siti.birth_date == dt.date(1990, 1, 1)
    assert siti.sex == "P"
    assert siti.occupation == "Kader Posyandu"
    assert siti.village_role == "lkd"
    assert siti.ecosystem == "desa"
    assert siti.segment == "BPU"
    assert siti.programs == ["JKK", "JKM", "JHT"]
    assert siti.phone == "081211112222"
    assert siti.income == 1_500_000
    assert siti.source_batch_id == report.batch_id and siti.source_row == 2

    budi = Participant.objects.get(nik=BUDI)
    assert (budi.birth_date, budi.sex, budi.village_role) == (dt.date(1985, 5, 15), "L", "kepala_desa")
    assert budi.segment == "PU"  # kepala desa default: wage earner (siltap)
    assert budi.programs == ["JKK", "JKM"]  # no programme given: the JKK + JKM minimum
    assert budi.income == 2_500_000

    ahmad = Participant.objects.get(nik=AHMAD)
    assert (ahmad.birth_date, ahmad.village_role, ahmad.ecosystem, ahmad.segment) == (
        dt.date(1992, 12, 20), "", "rentan", "BPU"
    )  # fmt: skip
    # Petani: a vulnerable worker without a village role, so the national "rentan" default fills the blank
    # income (BPU lowest band) and payer (contributions.RoleDefault, tests/contributions/test_import_defaults.py).
    assert ahmad.phone == "" and ahmad.income == 1_000_000 and ahmad.payer == "apbd_kabkota"


def test_clean_roster_batch_record(write_csv: Callable[..., Path], desa_user: Any) -> None:
    path = write_csv(clean_lines(), name="sukarami-2025.csv")
    data = path.read_bytes()
    report = import_roster(data, path.name, user=desa_user)

    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.file_name == "sukarami-2025.csv"
    assert batch.sha256 == report.sha256 == hashlib.sha256(data).hexdigest()
    assert batch.file_size == len(data)
    assert batch.user == desa_user
    assert batch.status == ImportBatch.Status.DONE and batch.progress == 100 and batch.finished_at is not None
    assert (batch.rows, batch.accepted, batch.updated, batch.rejected) == (3, 3, 0, 0)
    assert batch.region_id == SUKARAMI  # the narrowest region holding every row
    assert batch.header_row == 1 and batch.first_row == 2
    used = batch.columns["used"]
    assert used["nik"] == "NIK" and used["name"] == "Nama" and used["village_code"] == "Kode Desa"
    assert used["birth_date"] == "Tgl Lahir" and used["position"] == "Jabatan"
    assert batch.columns["ignored"] == ["Keterangan"]
    assert batch.columns["headers"] == HEADER.split(",")
    assert row_outcomes(batch) == [1, 1, 1]
    assert not batch.issues.filter(severity="error").exists()
    assert not batch.rejected_rows.exists()


def test_row_outcomes_follow_file_order(write_csv: Callable[..., Path]) -> None:
    run(write_csv(clean_lines()[:2]))  # Siti exists before the second file
    lines = [
        HEADER,
        f"{AHMAD},Ahmad Fauzi,,L,Petani,{SUKARAMI},,,,,",  # new → 1
        f"123,Tanpa NIK Benar,,L,Petani,{SUKARAMI},,,,,",  # bad NIK → 3
        f"{SITI},Siti Aminah,,P,Kader Posyandu,{SUKARAMI},,,,,",  # existing → 2
        f"{BUDI},,,L,Kepala Desa,{SUKARAMI},,,,,",  # no name → 3
        f"{BUDI},Budi Santoso,,L,Kepala Desa,{SUKARAMI},,,,,",  # duplicate of a rejected row → 3
        f"{nik(2, 2, 1980, 7)},Joko,,L,Nelayan,{SUKARAMI},,,,,",  # new → 1
    ]
    report = run(write_csv(lines, name="mixed.csv"))
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert row_outcomes(batch) == [1, 3, 2, 3, 3, 1]
    assert (report.accepted, report.updated, report.rejected) == (2, 1, 3)
    assert_balanced(report)


# --- re-import -----------------------------------------------------------------------------------------


def test_identical_reimport_counts_updated_but_rewrites_nothing(write_csv: Callable[..., Path]) -> None:
    first = run(write_csv(clean_lines(), name="v1.csv"))
    again = run(write_csv(clean_lines(), name="v1-again.csv"))
    assert (again.accepted, again.updated, again.rejected) == (0, 3, 0)
    assert not Participant.objects.filter(source_batch_id=again.batch_id).exists()
    assert Participant.objects.filter(source_batch_id=first.batch_id).count() == 3


def test_a_changed_date_or_programme_is_rewritten(write_csv: Callable[..., Path]) -> None:
    run(write_csv(clean_lines(), name="v1.csv"))
    lines = clean_lines()
    lines[3] = lines[3].replace("JKK JKM", "JKK JKM JHT")  # Ahmad joins JHT
    lines[2] = lines[2].replace("15/05/1985", "16/05/1985")  # Budi's roster birth date differs
    report = run(write_csv(lines, name="v2.csv"))
    # Another birth date on a registered NIK may be another person: the record is not overwritten, the row
    # goes to the review queue (issue 11 point 2), where "replace" applies a genuine correction.
    assert (report.updated, report.rejected) == (2, 1)
    assert [f.code for f in report.findings if f.row == 3 and f.severity == "error"] == ["NIK_CONFLICT"]
    rewritten = Participant.objects.filter(source_batch_id=report.batch_id)
    assert set(rewritten.values_list("nik", flat=True)) == {AHMAD}
    assert Participant.objects.get(nik=AHMAD).jht is True
    assert Participant.objects.get(nik=BUDI).birth_date == dt.date(1985, 5, 15)


def test_reimport_updates_existing_niks_and_blank_cells_keep_old_values(write_csv: Callable[..., Path]) -> None:
    first = run(write_csv(clean_lines(), name="v1.csv"))
    assert first.accepted == 3
    joko = nik(2, 2, 1980, 7)
    edited = [
        HEADER,
        # Siti: a title added (still Siti), new phone and income, other optional cells blank.
        f"{SITI},Hj. Siti Aminah,,,Kader Posyandu,{SUKARAMI},,,0813-5555-6666,Rp 2.000.000,",
        # Budi: every optional cell blank → old phone and income stay.
        f"{BUDI},Budi Santoso,,,Kepala Desa,{SUKARAMI},,,,,",
        # Joko: new.
        f"{joko},Joko Widodo,02-02-1980,L,Nelayan,{SUKARAMI},,,,,",
        # Rejected: bad NIK.
        f"16060115058500,Salah NIK,,L,Petani,{SUKARAMI},,,,,",
    ]
    report = run(write_csv(edited, name="v2.csv"))

    assert (report.rows, report.accepted, report.updated, report.rejected) == (4, 1, 2, 1)
    assert_balanced(report)
    assert Participant.objects.count() == 4
    siti = Participant.objects.get(nik=SITI)
    assert siti.name == "Hj. Siti Aminah"
    assert siti.phone == "081355556666" and siti.income == 2_000_000
    assert siti.birth_date == dt.date(1990, 1, 1) and siti.sex == "P"  # derived from the NIK again
    assert siti.source_batch_id == report.batch_id
    budi = Participant.objects.get(nik=BUDI)
    assert budi.phone == "081233334444" and budi.income == 2_500_000  # blank cells kept the stored values
    assert budi.village_role == "kepala_desa" and budi.occupation == "Kepala Desa"
    # Budi's row carried nothing new: counted as updated, but not rewritten, so it still points to v1.
    assert budi.source_batch_id == first.batch_id
    ahmad = Participant.objects.get(nik=AHMAD)
    assert ahmad.source_batch_id == first.batch_id  # not in the second file: untouched
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.accepted, batch.updated, batch.rejected, batch.rows) == (1, 2, 1, 4)
    assert row_outcomes(batch) == [2, 2, 1, 3]


def test_reimport_blank_cells_keep_derived_values(write_csv: Callable[..., Path]) -> None:
    """Segment, ecosystem and programmes are derived (or defaulted) by the validator; blank source cells must keep
    the stored values, not reset them to the defaults (a re-upload must not drop JHT or turn a kepala desa BPU)."""
    run(write_csv(clean_lines(), name="v1.csv"))
    pmi = nik(9, 9, 1979, 21)
    lines = [
        "NIK,Nama,Jabatan,Kode Desa,Program,Segmen",
        f"{SITI},Siti Aminah,,{SUKARAMI},,",
        f"{BUDI},Budi Santoso,,{SUKARAMI},,",
        f"{AHMAD},Ahmad Fauzi,Pedagang Pasar,{SUKARAMI},JKK JKM JHT JP,",  # filled cells are re-derived
        f"{pmi},Yusuf,,{SUKARAMI},,",  # new, nothing given: the defaults
    ]
    report = run(write_csv(lines, name="v2.csv"))
    assert (report.accepted, report.updated, report.rejected) == (1, 3, 0)
    siti = Participant.objects.get(nik=SITI)
    assert (siti.village_role, siti.ecosystem, siti.segment, siti.programs) == ("lkd", "desa", "BPU",
                                                                                ["JKK", "JKM", "JHT"])  # fmt: skip
    budi = Participant.objects.get(nik=BUDI)
    assert (budi.village_role, budi.ecosystem, budi.segment) == ("kepala_desa", "desa", "PU")
    ahmad = Participant.objects.get(nik=AHMAD)
    assert (ahmad.occupation, ahmad.ecosystem, ahmad.segment) == ("Pedagang Pasar", "pasar", "BPU")
    assert ahmad.programs == ["JKK", "JKM", "JHT", "JP"]
    yusuf = Participant.objects.get(nik=pmi)
    assert (yusuf.occupation, yusuf.village_role, yusuf.ecosystem, yusuf.segment) == ("", "", "lainnya", "BPU")
    assert yusuf.programs == ["JKK", "JKM"]


def test_reimport_of_same_file_updates_everything(write_csv: Callable[..., Path]) -> None:
    path = write_csv(clean_lines())
    run(path)
    again = run(path)
    assert (again.accepted, again.updated, again.rejected) == (0, 3, 0)
    assert Participant.objects.count() == 3
    assert ImportBatch.objects.count() == 2


# --- rejected rows -------------------------------------------------------------------------------------

BAD_LINES = [
    HEADER,
    f"{SITI},Siti Aminah,01-01-1990,P,Kader Posyandu,{SUKARAMI},,,,,",  # row 2 ok
    f"160601150585000,Budi Santoso,15-05-1985,L,Kepala Desa,{SUKARAMI},,,,,",  # row 3: 15 digits
    f"{AHMAD},,20-12-1992,L,Petani,{SUKARAMI},,,,,",  # row 4: no name
    f"{nik(2, 2, 1980, 7)},Joko,30-02-1980,L,Nelayan,{SUKARAMI},,,,,catatan",  # row 5: impossible date
    f"{nik(3, 3, 1981, 8)},Rina,03-03-1981,P,Penjahit,16.99.99.2999,,,,,",  # row 6: unknown village
]


def test_rejected_rows_have_issues_and_original_cells(write_csv: Callable[..., Path]) -> None:
    report = run(write_csv(BAD_LINES))
    assert (report.rows, report.accepted, report.rejected) == (5, 1, 4)
    assert_balanced(report)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    error_codes = {
        row: set(batch.issues.filter(row=row, severity="error").values_list("code", flat=True)) for row in range(2, 7)
    }
    assert error_codes == {2: set(), 3: {"NIK_LENGTH"}, 4: {"NAME_MISSING"}, 5: {"DATE_INVALID"},
                           6: {"REGION_UNKNOWN"}}  # fmt: skip
    rejected = {r.row: r for r in batch.rejected_rows.all()}
    assert sorted(rejected) == [3, 4, 5, 6] == sorted(f.row for f in report.findings if f.severity == "error")
    assert rejected[3].cells[:2] == ["160601150585000", "Budi Santoso"]
    assert rejected[4].cells[0] == AHMAD and rejected[4].cells[1] is None
    assert rejected[5].cells[2] == "30-02-1980" and rejected[5].cells[-1] == "catatan"
    assert len(rejected[5].cells) == len(HEADER.split(","))
    assert "NIK_LENGTH" in rejected[3].reasons and "NAME_MISSING" in rejected[4].reasons
    nik_issue = batch.issues.get(row=3, code="NIK_LENGTH")
    assert nik_issue.column == "NIK" and nik_issue.value == "160601150585000"
    assert "16 digit" in nik_issue.message("id") and "16 digits" in nik_issue.message("en")


def test_rejected_rows_workbook(write_csv: Callable[..., Path]) -> None:
    report = run(write_csv(BAD_LINES))
    batch = ImportBatch.objects.get(pk=report.batch_id)
    rows = read_xlsx(rejected_rows_xlsx(batch))
    headers = HEADER.split(",")
    assert rows[0] == [*headers, REASON_HEADER, ROW_HEADER, BATCH_HEADER]
    body = rows[1:]
    assert [r[-2] for r in body] == [3, 4, 5, 6] and {r[-1] for r in body} == {batch.pk}
    assert [r[0] for r in body] == ["160601150585000", AHMAD, nik(2, 2, 1980, 7), nik(3, 3, 1981, 8)]
    assert all(isinstance(r[0], str) for r in body)  # NIKs as text: all 16 digits survive Excel
    assert "NIK_LENGTH" in body[0][len(headers)] and "NAME_MISSING" in body[1][len(headers)]
    assert body[2][2] == "30-02-1980" and body[2][len(headers) - 1] == "catatan"


def test_rejected_rows_round_trip(write_csv: Callable[..., Path], write_xlsx: Callable[..., Path]) -> None:
    first = run(write_csv(BAD_LINES))
    rows = read_xlsx(rejected_rows_xlsx(ImportBatch.objects.get(pk=first.batch_id)))
    headers = rows[0]
    col = {h: i for i, h in enumerate(headers)}
    fixes = {
        3: {"NIK": BUDI},
        4: {"Nama": "Ahmad Fauzi"},
        5: {"Tgl Lahir": "02-02-1980"},
        6: {"Kode Desa": SUKARAMI},
    }
    fixed = [headers]
    for row in rows[1:]:
        row = list(row)
        for header, value in fixes[int(row[col[ROW_HEADER]])].items():
            row[col[header]] = value
        fixed.append(row)
    path = write_xlsx(fixed, name="ditolak-diperbaiki.xlsx")

    second = run(path)
    assert (second.rows, second.accepted, second.updated, second.rejected) == (4, 4, 0, 0)
    batch = ImportBatch.objects.get(pk=second.batch_id)
    assert {REASON_HEADER, ROW_HEADER, BATCH_HEADER} <= set(batch.columns["ignored"])
    assert Participant.objects.count() == 5
    assert Participant.objects.get(nik=AHMAD).name == "Ahmad Fauzi"
    assert Participant.objects.get(nik=nik(3, 3, 1981, 8)).desa_id == SUKARAMI
    assert Participant.objects.get(nik=nik(2, 2, 1980, 7)).birth_date == dt.date(1980, 2, 2)


def test_duplicates_in_file_keep_the_first(write_csv: Callable[..., Path]) -> None:
    lines = [
        HEADER,
        f"{SITI},Siti Aminah,,P,,{SUKARAMI},,,081200000001,,",
        f"{BUDI},Budi Santoso,,L,,{SUKARAMI},,,,,",
        f"{SITI},Siti A.,,P,,{SUKARAMI},,,081200000002,,",
        f"'{SITI},Siti Aminah (lagi),,P,,{SUKARAMI},,,,,",  # same NIK, typed with an apostrophe
    ]
    report = run(write_csv(lines))
    assert (report.rows, report.accepted, report.rejected) == (4, 2, 2)
    dups = [f for f in report.findings if f.code == "DUPLICATE_IN_FILE"]
    assert [(f.row, f.extra) for f in dups] == [(4, "2"), (5, "2")]
    assert all("baris 2" in f.message("id") and "row 2" in f.message("en") for f in dups)
    siti = Participant.objects.get(nik=SITI)
    assert siti.name == "Siti Aminah" and siti.phone == "081200000001" and siti.source_row == 2
    assert row_outcomes(ImportBatch.objects.get(pk=report.batch_id)) == [1, 1, 3, 3]


def test_synthetic_roster_invariants(tmp_path: Path) -> None:
    """A synthetic roster with many typical mistakes: every row ends in exactly one outcome, every rejected row
    has an error finding and a RejectedRow, and a second import of the same file updates what the first took."""
    from ucj.demo.synth import synthetic_roster

    villages = [SUKARAMI, LUMPATAN, "16.06.01.2003", "16.71.01.1001"]
    path = tmp_path / "sintetis.csv"
    synthetic_roster(400, villages, seed=7, error_rate=0.3).write_csv(path)

    first = run(path)
    assert first.rows == 400 and 0 < first.rejected < 400
    assert_balanced(first)
    batch = ImportBatch.objects.get(pk=first.batch_id)
    outcomes = row_outcomes(batch)
    assert len(outcomes) == 400
    assert (outcomes.count(1), outcomes.count(2), outcomes.count(3)) == (first.accepted, first.updated, first.rejected)
    rejected_rows = set(batch.rejected_rows.values_list("row", flat=True))
    error_rows = set(batch.issues.filter(severity="error").values_list("row", flat=True))
    assert rejected_rows == error_rows and len(rejected_rows) == first.rejected
    assert {i for i, code in enumerate(outcomes, start=2) if code == 3} == rejected_rows
    assert Participant.objects.count() == first.accepted
    found = set(batch.issues.values_list("code", flat=True))
    assert {"NIK_LENGTH", "NIK_CHARS", "NIK_EXCEL_FLOAT", "DUPLICATE_IN_FILE", "DATE_INVALID", "NAME_MISSING",
            "REGION_UNKNOWN"} <= found  # fmt: skip

    second = run(path)
    assert (second.accepted, second.updated, second.rejected) == (0, first.accepted, first.rejected)
    assert Participant.objects.count() == first.accepted


# --- dry run and all-or-nothing ----------------------------------------------------------------------


def test_dry_run_stores_nothing_but_counts_exactly(write_csv: Callable[..., Path]) -> None:
    run(write_csv(clean_lines()[:3], name="first.csv"))  # Siti and Budi exist
    batches, participants = ImportBatch.objects.count(), list(Participant.objects.values_list("nik", "name"))
    lines = [*clean_lines(), f"{nik(2, 2, 1980, 7)},Joko,,L,Nelayan,{SUKARAMI},,,,,", BAD_LINES[2]]
    lines[1] = lines[1].replace("Siti Aminah", "Siti Berubah")  # another person on Siti's NIK: NIK_CONFLICT

    report = run(write_csv(lines, name="second.csv"), dry_run=True)
    assert report.dry_run and report.batch_id is None
    assert (report.rows, report.accepted, report.updated, report.rejected) == (5, 2, 1, 2)
    assert_balanced(report)
    assert ImportBatch.objects.count() == batches
    assert list(Participant.objects.values_list("nik", "name")) == participants
    assert not ImportIssue.objects.filter(batch__file_name="second.csv").exists()

    real = run(write_csv(lines, name="second.csv"))  # the real import agrees with the dry run
    assert (real.accepted, real.updated, real.rejected) == (report.accepted, report.updated, report.rejected)


def test_dry_run_on_empty_registry(write_csv: Callable[..., Path]) -> None:
    report = run(write_csv(clean_lines()), dry_run=True)
    assert (report.accepted, report.updated) == (3, 0)
    assert not Participant.objects.exists() and not ImportBatch.objects.exists()


def test_failure_inside_the_write_leaves_nothing(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(write_csv(clean_lines()[:2], name="first.csv"))  # Siti exists with her first values
    lines = clean_lines()
    lines[1] = lines[1].replace("Siti Aminah", "Siti Diubah")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_save_findings", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        run(write_csv(lines, name="second.csv"))

    batch = ImportBatch.objects.get(file_name="second.csv")
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error_code == "INTERNAL" and batch.finished_at is not None
    assert not Participant.objects.filter(source_batch_id=batch.pk).exists()
    assert Participant.objects.count() == 1
    assert Participant.objects.get(nik=SITI).name == "Siti Aminah"  # the update was rolled back too
    assert not ImportIssue.objects.filter(batch=batch).exists()
    assert not AuditEvent.objects.filter(action="import_roster", object_id=str(batch.pk)).exists()


def test_failure_in_the_store_leaves_nothing(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("insert failed")

    monkeypatch.setattr("ucj.registry.store._insert", broken)
    with pytest.raises(RuntimeError, match="insert failed"):
        run(write_csv(clean_lines()))
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert not Participant.objects.exists()
    # The staging table did not outlive the failure: the next import works.
    monkeypatch.undo()
    assert run(write_csv(clean_lines())).accepted == 3


def test_file_level_error_marks_the_batch_failed(write_csv: Callable[..., Path]) -> None:
    from ucj.registry.issues import RosterFileError

    path = write_csv(["Nama,Alamat", "Siti,Jl. Merdeka"], name="no-nik.csv")
    with pytest.raises(RosterFileError) as err:
        run(path)
    assert err.value.code == "FILE_NO_NIK_COLUMN"
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED and batch.error_code == "FILE_NO_NIK_COLUMN"
    assert not Participant.objects.exists()


# --- scoping and audit ---------------------------------------------------------------------------------


def test_desa_user_cannot_import_rows_of_another_village(write_csv: Callable[..., Path], desa_user: Any) -> None:
    lines = [
        *clean_lines()[:2],
        f"{BUDI},Budi Santoso,,L,Petani,{LUMPATAN},,,,,",
        f"{AHMAD},Ahmad Fauzi,,L,Petani,16.71.01.1001,,,,,",
    ]
    report = run(write_csv(lines), user=desa_user)
    assert (report.rows, report.accepted, report.rejected) == (3, 1, 2)
    outside = [f for f in report.findings if f.code == "REGION_OUTSIDE"]
    assert [(f.row, f.value) for f in outside] == [(3, LUMPATAN), (4, "16.71.01.1001")]
    assert all(SUKARAMI in f.extra for f in outside)
    assert list(Participant.objects.values_list("nik", flat=True)) == [SITI]
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.region_id == SUKARAMI
    assert set(batch.rejected_rows.values_list("row", flat=True)) == {3, 4}
    assert "REGION_OUTSIDE" in batch.rejected_rows.get(row=3).reasons


def test_kab_user_may_import_any_village_of_the_kabupaten(write_csv: Callable[..., Path], kab_user: Any) -> None:
    lines = [
        *clean_lines()[:2],
        f"{BUDI},Budi Santoso,,L,Petani,{LUMPATAN},,,,,",
        f"{AHMAD},Ahmad Fauzi,,L,Petani,16.71.01.1001,,,,,",
    ]
    report = run(write_csv(lines), user=kab_user)
    assert (report.accepted, report.rejected) == (2, 1)
    assert [f.row for f in report.findings if f.code == "REGION_OUTSIDE"] == [4]
    assert ImportBatch.objects.get(pk=report.batch_id).region_id == "16.06.01"


def test_desa_user_refused_for_a_foreign_region(write_csv: Callable[..., Path], desa_user: Any) -> None:
    with pytest.raises(ImportRefused, match="tidak berhak"):
        run(write_csv(clean_lines()), user=desa_user, region="16.71")
    with pytest.raises(ImportRefused, match="unknown region"):
        run(write_csv(clean_lines()), user=desa_user, region="99.99")
    assert not ImportBatch.objects.exists() and not Participant.objects.exists()


def test_viewer_may_not_import(write_csv: Callable[..., Path], viewer_user: Any) -> None:
    with pytest.raises(ImportRefused):
        run(write_csv(clean_lines()), user=viewer_user)
    assert not Participant.objects.exists()


def test_region_of_a_desa_fixes_the_village_of_every_row(write_csv: Callable[..., Path], desa_user: Any) -> None:
    lines = ["NIK,Nama", f"{SITI},Siti Aminah", f"{BUDI},Budi Santoso"]
    report = run(write_csv(lines), user=desa_user, region=SUKARAMI)
    assert report.accepted == 2
    assert set(Participant.objects.values_list("desa_id", flat=True)) == {SUKARAMI}


def test_import_is_audited(write_csv: Callable[..., Path], desa_user: Any) -> None:
    report = run(write_csv(clean_lines()), user=desa_user)
    event = AuditEvent.objects.get(action="import_roster")
    assert event.actor == desa_user and event.actor_name == desa_user.username
    assert event.region_code == SUKARAMI
    assert event.object_type == "import_batch" and event.object_id == str(report.batch_id)
    assert "3 accepted" in event.summary
    for p in Participant.objects.all():  # no personal data in the trail
        assert p.nik not in event.summary and p.name not in event.summary
    assert event.changes["sha256"] == report.sha256


# --- the upload page -------------------------------------------------------------------------------------


def _login(client: Client, user: Any) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, "login failed"


def test_upload_page_imports_and_offers_rejected_rows(write_csv: Callable[..., Path], desa_user: Any) -> None:
    client = Client()
    _login(client, desa_user)
    path = write_csv(BAD_LINES, name="unggah.csv")
    with path.open("rb") as fh:
        response = client.post(reverse("registry:upload"), {"file": fh, "region": ""})
    assert response.status_code == 302
    batch = ImportBatch.objects.get(file_name="unggah.csv")
    assert response["Location"] == reverse("registry:import", args=[batch.pk])
    assert batch.status == ImportBatch.Status.DONE and batch.user == desa_user
    assert (batch.rows, batch.accepted, batch.rejected) == (5, 1, 4)
    assert not (Path(settings.MEDIA_ROOT) / batch.stored_file).exists()

    page = client.get(reverse("registry:import", args=[batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "NIK_LENGTH" in html and "NAME_MISSING" in html
    assert reverse("registry:rejected", args=[batch.pk]) in html
    counts = [c.strip() for c in re.findall(r'<div class="value[^"]*">([^<]*)</div>', html)]
    assert counts == ["5", "1", "0", "4", str(batch.warnings)]

    download = client.get(reverse("registry:rejected", args=[batch.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(download.content)
    assert rows[0][-3:] == [REASON_HEADER, ROW_HEADER, BATCH_HEADER] and len(rows) == 5
    event = AuditEvent.objects.get(action="export_rejected_rows")
    assert event.actor == desa_user and event.object_id == str(batch.pk) and event.region_code == SUKARAMI
    assert AuditEvent.objects.filter(action="import_roster", actor=desa_user).exists()


def test_upload_of_a_non_roster_shows_the_reason(tmp_path: Path, desa_user: Any) -> None:
    client = Client()
    _login(client, desa_user)
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with path.open("rb") as fh:
        response = client.post(reverse("registry:upload"), {"file": fh, "region": ""}, follow=True)
    batch = ImportBatch.objects.get(file_name="scan.xlsx")
    assert batch.status == ImportBatch.Status.FAILED and batch.error_code == "FILE_NOT_SPREADSHEET"
    assert response.status_code == 200 and "bukan spreadsheet" in response.content.decode()


def test_batches_of_other_villages_stay_hidden(write_csv: Callable[..., Path], make_user: Callable[..., Any]) -> None:
    owner = make_user("desa", SUKARAMI)
    other = make_user("desa", LUMPATAN)
    report = run(write_csv(clean_lines()), user=owner)
    client = Client()
    _login(client, other)
    assert client.get(reverse("registry:import", args=[report.batch_id])).status_code == 404
    assert client.get(reverse("registry:rejected", args=[report.batch_id])).status_code == 404
    assert not AuditEvent.objects.filter(action="export_rejected_rows").exists()


def test_rejected_download_requires_login(write_csv: Callable[..., Path]) -> None:
    report = run(write_csv(BAD_LINES))
    response = Client().get(reverse("registry:rejected", args=[report.batch_id]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert RejectedRow.objects.filter(batch_id=report.batch_id).count() == 4


def test_a_roster_never_moves_paid_through_of_a_registered_person(write_csv: Callable[..., Path]) -> None:
    """Issue 11 §5: paid-through moves only through payments. A roster may state it for a person it
    registers (their state when they join), but a re-import never moves it for a registered NIK."""
    row = f"{BUDI},Budi Santoso,15/05/1985,L,Kepala Desa,{SUKARAMI},,,,,,30/06/2024"
    first = [HEADER + ",Iuran dibayar sampai", row]
    run(write_csv(first, name="v1.csv"))
    assert Participant.objects.get(nik=BUDI).paid_through == dt.date(2024, 6, 30)
    report = run(write_csv([first[0], first[1].replace("30/06/2024", "31/12/2030")], name="v2.csv"))
    assert report.updated == 1
    assert Participant.objects.get(nik=BUDI).paid_through == dt.date(2024, 6, 30)
