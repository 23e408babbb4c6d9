"""Totals and signature rows under a roster are not people (issue 16 item 3; the rule: ucj.registry.reader,
"footer and signature rows"): they are neither counted nor rejected, and one informational finding lists them."""

from __future__ import annotations

from typing import Any

import pytest

from ucj.registry.issues import ISSUE_TYPES
from ucj.registry.reader import read_roster

TABLE = [
    "DAFTAR PERANGKAT DESA SUKARAMI",
    "No;NIK;Nama;Jabatan;Penghasilan",
    "1;1606014101900012;Siti Aminah;Sekretaris Desa;2.500.000",  # row 3
    "2;1606011505850003;Budi Santoso;Ketua RT;1.000.000",  # row 4
]
FOOTER = [
    ";;Jumlah;;3.500.000",  # row 5: totals
    "",
    "Sukarami, 3 Januari 2025;;;;",  # row 7: place and date
    "Mengetahui,;;;;",  # row 8
    "Kepala Desa Sukarami;;;;",  # row 9
    ";;;;",
    "( H. Ahmad Yani );;;;",  # row 11
]


def read(lines: list[str]) -> Any:
    return read_roster("\n".join(lines).encode(), "perangkat.csv")


def test_totals_and_signature_block_are_left_out_with_one_info_finding() -> None:
    raw = read(TABLE + FOOTER)
    assert raw.frame["_row"].to_list() == [3, 4]
    (note,) = raw.notes
    assert (note.code, note.row, note.value, note.extra) == ("FOOTER_ROWS_SKIPPED", 5, "5", "5, 7–9, 11")
    assert ISSUE_TYPES["FOOTER_ROWS_SKIPPED"].severity == "info"
    assert "5 baris di bawah tabel" in note.message("id") and "not counted" in note.message("en")


def test_a_subtotal_inside_the_table_is_left_out_too() -> None:
    raw = read([*TABLE[:3], ";;Sub total Dusun I;;2.500.000", TABLE[3]])
    assert raw.frame["_row"].to_list() == [3, 5]
    assert raw.notes[0].extra == "4"


def test_a_person_without_nik_under_the_table_stays_a_row() -> None:
    """Only from the first signature or date line on: a person written under the table is still data (and
    is rejected for the missing NIK by the validator, as before)."""
    raw = read([*TABLE, ";;Joko;Nelayan;", "Mengetahui,;;;;", "Kepala Desa Sukarami;;;;"])
    assert raw.frame["_row"].to_list() == [3, 4, 5]
    assert raw.notes[0].extra == "6–7"


@pytest.mark.parametrize("tail", [[";;Joko;Nelayan;"], [";;Kepala Dusun;Kepala Dusun;"]])
def test_without_a_signature_word_nothing_is_left_out(tail: list[str]) -> None:
    raw = read(TABLE + tail)
    assert raw.frame["_row"].to_list() == [3, 4, 5] and raw.notes == []


def test_the_import_neither_counts_nor_rejects_them(desa_user: Any) -> None:
    from ucj.registry.services import import_roster

    data = "\n".join(TABLE + FOOTER).encode()
    report = import_roster(data, "perangkat.csv", user=desa_user, dry_run=True)
    assert (report.rows, report.accepted, report.rejected, report.warnings) == (2, 2, 0, 0)
    assert [f.code for f in report.findings] == ["FOOTER_ROWS_SKIPPED"]


def test_a_person_whose_position_is_a_signature_word_stays_a_row() -> None:
    """Only the first non-empty cell counts: "Sekretaris Desa" as a position (here with a short NIK) is a person."""
    raw = read(["NIK;Nama;Jabatan", "123;Siti Aminah;Sekretaris Desa", "1606011505850003;Budi;Kepala Desa"])
    assert raw.frame["_row"].to_list() == [2, 3] and raw.notes == []
