"""Fast paths of the roster import (issue 17 §3) give exactly what the general path gives, for every input.

Each fast path keeps its general path runnable (``fast_path=False`` or a private function); these tests run
both over many inputs — every accepted shape, impossible values, other scripts' digits, odd separators,
spaces, NUL, very long strings, blanks and nulls — and compare them cell by cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from ucj.regions.reference import iter_reference
from ucj.registry import distinct, reader, validate
from ucj.registry.dates import MONTHS, add_date_column
from ucj.registry.distinct import per_distinct
from ucj.registry.issues import RosterFileError
from ucj.registry.nik import NIK_OUTPUTS, add_nik_columns
from ucj.registry.reader import RawRoster, ReadLimits, _finish, _read_csv, read_roster
from ucj.registry.regionmatch import villages_frame
from ucj.registry.validate import Validated, validate_roster

TODAY = dt.date(2026, 11, 24)

#: Texts no fast shape may read wrongly: near misses of each shape, hostile cells.
HOSTILE_DATES = [
    None, "", " ", "\x00", "13-12-1980\x00", "\x0013-12-1980", "x" * 100_000, "1" * 100_000,
    "31-02-1980", "30-02-2000", "29-02-1900", "29-02-2000", "29-02-2001", "00-01-2000", "01-00-2000", "01-13-2000",
    "32-01-2000", "99-99-9999", "01-01-0000", "01-01-1799", "31-12-2200", "01-01-2201", "13-12-80", "13/12/80",
    "1-12-1980", "13-1-1980", "+1-12-1980", "-1-12-1980", "1 3-12-1980", "13 -12-1980", "13-12-1980 ", " 13-12-1980",
    "\t13/12/1980\n", "13-12/1980", "13.12-1980", "13,12,1980", "13_12_1980", "13--12-1980", "13-12-19800",
    "١٢-١٢-١٩٨٠", "１３-１２-１９８０", "١٣ desember ١٩٨٠", "13-12-198O", "13-12-1980 10:30", "13-12-1980t10:30:00",
    "1980-12-13", "1980/12/13", "1980.12.13", "1980-02-30", "1980-13-01", "1980-00-10", "1980-12-00", "1980.12.00",
    "1980-1-13", "0000-01-01", "2201-01-01", "1980-12-13 00:00:00", "1980-12-13t00:00:00", "+980-12-13",
    "13 desember 1980", "13 DESEMBER 1980", "13 Des 1980", "13 des. 1980", "13 dec 1980", "31 februari 1980",
    "0 januari 2000", "00 januari 2000", "1 xyz 2000", "1 januari 80", "1  januari 2000", "1 januari 2000 ",
    "123 januari 2000", "1 januari 20000", "1 januari1 2000", "1 jänuari 2000", "1 januari\u00a02000",
    "13 \u212aanuari 1980", "12-1980", "12/1980", "12.1980", "13-1980", "00-1980", "1-1980", "12-80", "12.0000",
    "10.0000", "09.2026", "mei 2025", "mei. 2025", "29568", "29568.0", "29568.00", "9999", "80001", "10000",
    "1e4", "29568.5", "nan", "inf", "-29568", "13 desember, 1980", "13 - 12 - 1980",
]  # fmt: skip


def _date_texts(seed: int) -> list[str | None]:
    """Every accepted fast shape of many dates (valid, impossible, edge years), plus the hostile list."""
    rnd = random.Random(seed)
    names = list(MONTHS)
    texts: list[str | None] = list(HOSTILE_DATES)
    for _ in range(4000):
        year = rnd.choice([rnd.randint(1790, 2210), rnd.randint(1900, 2030), 1900, 2000, 2024, 1800, 2200])
        month, day = rnd.randint(0, 13), rnd.randint(0, 32)
        sep = rnd.choice("-/.")
        name = rnd.choice(names)
        texts += [
            f"{day:02d}{sep}{month:02d}{sep}{year:04d}",
            f"{year:04d}{sep}{month:02d}{sep}{day:02d}",
            f"{day} {name} {year}",
            f"{day:02d} {name.upper()} {year}",
            f"{month:02d}{sep}{year:04d}",
            f"{day}{sep}{month}{sep}{year % 100:02d}",
            str(rnd.randint(0, 90000)),
        ]
    return texts


@pytest.mark.parametrize(
    ("month_only", "seed", "repeats"), list(itertools.product([False, True], [1, 2], [1, 3]))
)  # fmt: skip
def test_dates_fast_path_equals_the_general_path(month_only: bool, seed: int, repeats: int) -> None:
    """``repeats`` 1: nearly every text distinct (read row by row); 3: each text thrice (read once per text)."""
    texts = _date_texts(seed) * repeats
    random.Random(seed).shuffle(texts)
    frame = pl.DataFrame({"v": texts}, schema={"v": pl.String})
    fast = add_date_column(frame, "v", "out", TODAY, month_only=month_only)
    general = add_date_column(frame, "v", "out", TODAY, month_only=month_only, fast_path=False)
    assert fast.columns == general.columns == ["v", "out"]
    assert_series_equal(fast["out"], general["out"])
    assert fast["out"].null_count() < fast.height  # the inputs hold readable dates, not only rejects


def test_dates_fast_path_reads_impossible_fast_shaped_dates_as_null() -> None:
    frame = pl.DataFrame({"v": ["31-02-1980", "00-01-2000", "01-13-2000", "1980-02-30", "31 februari 1980"]})
    assert add_date_column(frame, "v", "out", TODAY)["out"].to_list() == [None] * 5


def test_dates_fast_path_with_no_rows_or_only_other_shapes() -> None:
    empty = pl.DataFrame({"v": []}, schema={"v": pl.String})
    assert add_date_column(empty, "v", "out", TODAY)["out"].to_list() == []
    other = pl.DataFrame({"v": ["13-12-80", "29568", None]})
    assert add_date_column(other, "v", "out", TODAY)["out"].to_list() == [dt.date(1980, 12, 13)] * 2 + [None]


# --- NIK --------------------------------------------------------------------------------------------------

HOSTILE_NIKS = [
    None, "", " ", "\x00", "1671011301900012\x00", "\x001671011301900012", "9" * 100_000, "x" * 100_000,
    "1671011301900012", "1671011301900010", "1671011301900000", "1671013102900012", "1671010001900012",
    "1671011313900012", "1671017112900012", "1671017212900012", "0000000000000000", "9999999999999999",
    "167101130190001", "16710113019000123", "+671011301900012", "-671011301900012", " 1671011301900012 ",
    "'1671011301900012", "`1671011301900012", "‘1671011301900012’", "1671 0113 0190 0012", "1671.0113.0190.0012",
    "1671-0113-0190-0012", "1671011301900012.0", "1671011301900012,00", "1.67101E+15", "1,67101e15", "1.6e+15",
    "167101130190001O", "16710113019OOO12", "١٦٧١٠١١٣٠١٩٠٠٠١٢", "１６７１０１１３０１９０００１２",
    "1671011301900012\n", "1671011301900012\u00a0", "16710113\u00a001900012", "1671011301900012 x",
    "NIK 1671011301900012", "-", ".",
]  # fmt: skip


def _nik_texts(seed: int) -> list[str | None]:
    rnd = random.Random(seed)
    prefixes = ["167101", "160221", "999999", "317301", "000000"]
    texts: list[str | None] = list(HOSTILE_NIKS)
    for _ in range(3000):
        day = rnd.choice([rnd.randint(0, 75), rnd.randint(1, 28), rnd.randint(41, 68)])
        nik = f"{rnd.choice(prefixes)}{day:02d}{rnd.randint(0, 13):02d}{rnd.randint(0, 99):02d}"
        nik += rnd.choice(["0000", "0010", "0001", f"{rnd.randint(0, 9999):04d}"])
        texts += [nik, nik[:-1], nik + "7", f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}", f"'{nik}", f"{nik}.0"]
    return texts


@pytest.mark.parametrize("seed", [1, 2])
def test_nik_fast_path_equals_the_general_path(seed: int) -> None:
    texts = _nik_texts(seed)
    rnd = random.Random(seed)
    frame = pl.DataFrame(
        {"raw": texts, "numeric": [rnd.choice([True, False, None]) for _ in texts]},
        schema={"raw": pl.String, "numeric": pl.Boolean},
    )
    for numeric in ("numeric", None):
        fast = add_nik_columns(frame, "raw", numeric, TODAY)
        general = add_nik_columns(frame, "raw", numeric, TODAY, fast_path=False)
        assert fast.columns == general.columns
        assert sorted(fast.columns) == sorted(["raw", "numeric", *NIK_OUTPUTS])
        assert_frame_equal(fast, general)
        assert fast["nik"].null_count() < fast.height
        assert fast["nik_error"].n_unique() >= 7  # every error code, some of them on clean 16-digit cells


def test_nik_fast_path_on_an_excel_damaged_number_and_no_rows() -> None:
    frame = pl.DataFrame({"raw": ["1671011301900010"] * 2, "numeric": [True, False]})
    assert add_nik_columns(frame, "raw", "numeric", TODAY)["nik_error"].to_list() == ["NIK_EXCEL_FLOAT", None]
    empty = pl.DataFrame({"raw": [], "numeric": []}, schema={"raw": pl.String, "numeric": pl.Boolean})
    assert sorted(add_nik_columns(empty, "raw", "numeric", TODAY).columns) == sorted(["raw", "numeric", *NIK_OUTPUTS])


# --- reader: cleaning the cells, footer rows ------------------------------------------------------------------

_CELLS = [
    "", " ", "  \t ", "Siti Aminah", "  Budi  ", "a\x00b", "\x00", " \x00 ", "x" * 25, " " + "y" * 19 + " ", "z" * 21,
    "é" * 15, "é" * 21, "ｘ" * 12, "\u00a0Nama\u00a0", "Kepala Desa", "Sekretaris Desa", "1.000.000", "-",
]  # fmt: skip
_FIRST = [
    "Jumlah", "JUMLAH 25 orang", "Total", "subtotal dusun 1", "Sub Total", "Mengetahui,", "Kepala Desa Sukarami",
    "Sukarami, 3 Januari 2025", "Palembang, 03-01-2025", "NIP 19650101", "( H. Ahmad Yani )", "ttd", "Catatan",
    "Jumlahnya", "a.n. Kepala Desa", "",
]  # fmt: skip
_NIKS = [
    "1606014101900012", "1.60601E+15", "160601", "16060", "12345 6", "١٦٠٦٠١٤١٠١", "１６０６０１４", "", "-", "NIK 123",
    "\x001606014101900012", "1606014101900012" + "9" * 10,
]  # fmt: skip


def _roster_csv(rnd: random.Random) -> bytes:
    lines = ["DAFTAR PERANGKAT DESA", "No;NIK;Nama;Jabatan;Keterangan"]
    for n in range(rnd.randint(0, 25)):
        first = rnd.choice([str(n + 1), "", rnd.choice(_FIRST)])
        cells = [first, rnd.choice(_NIKS)] + [rnd.choice(_CELLS) for _ in range(3)]
        lines.append(";".join(cells[: rnd.randint(1, 6)]))
    for _ in range(rnd.randint(0, 6)):  # a footer, or rows that only look like one
        lines.append(";".join([rnd.choice(_FIRST + _CELLS), rnd.choice(["", "", *_NIKS]), rnd.choice(_CELLS)]))
    return "\n".join(lines).encode()


def _finished(data: bytes, limits: ReadLimits, *, fast_path: bool) -> RawRoster | str:
    raw = _read_csv(data, limits)
    try:
        return _finish(raw, limits, fast_path=fast_path)
    except RosterFileError as refusal:
        return refusal.code


@pytest.mark.parametrize("seed", range(4))
def test_reader_finish_fast_path_equals_the_general_path(seed: int) -> None:
    rnd = random.Random(seed)
    limits = ReadLimits(max_cell_chars=20)
    seen = set()
    for _ in range(100):
        data = _roster_csv(rnd)
        fast, general = _finished(data, limits, fast_path=True), _finished(data, limits, fast_path=False)
        if isinstance(fast, str) or isinstance(general, str):
            assert fast == general
            continue
        assert_frame_equal(fast.frame, general.frame)
        assert fast.notes == general.notes
        seen |= {note.code for note in fast.notes} | set(fast.frame["_cell_problem"].str.split("\t").list.first())
    assert {"FOOTER_ROWS_SKIPPED", "CELL_NUL", "CELL_TOO_LONG"} <= seen  # the inputs reach every branch


# --- per distinct value ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [], [None], ["a"], ["a", "a", None, None, "b", "a"], ["x", "y", "z"], [str(i % 7) for i in range(100)],
        [None] * 50 + ["a"], [str(i) for i in range(100)], [None] * 20,
    ],
)  # fmt: skip
def test_per_distinct_equals_the_rule_on_every_row(values: list[str | None]) -> None:
    column = pl.Series("v", values, dtype=pl.String)

    def rule(cells: pl.Series) -> pl.Series:  # null for a null cell, as every rule per_distinct serves
        return cells.str.len_chars() * 10 + cells.str.count_matches("a")

    def non_null(cells: pl.Series) -> pl.Series:  # a value for a null cell too
        return cells.fill_null("null").str.len_chars()

    assert per_distinct(column, rule).to_list() == rule(column).to_list()
    assert per_distinct(column, non_null).to_list() == non_null(column).to_list()


# --- the whole validator: once per distinct value vs every row, fast paths vs general paths -------------------

_ROSTER_HEADER = [
    "NIK", "Nama Lengkap", "Tempat/Tgl Lahir", "L/P", "Jabatan", "Desa", "Kecamatan", "Kode Desa", "No HP",
    "Penghasilan", "Iuran s/d", "TMT", "Segmen", "Pembayar", "Sektor usaha", "Jumlah pekerja", "Desil", "Program",
]  # fmt: skip
_ROSTER_VALUES = [
    ["1606014101900012", "1671011301900010", "1.60601E+15", "160601410190001", "", "1606 0141 0190 0012"],
    ["Siti  Aminah", "Budi", "", "  ", "x" * 250, "Ani\tBudi"],
    ["Palembang, 13-12-1980", "13-12-1980", "1 Januari 1960", "31-02-1980", "١٢-١٢-١٩٨٠", "29568", "13/12/80", ""],
    ["L", "P", "laki-laki", "Perempuan", "x", ""],
    ["Kepala Desa", "Sekretaris Desa", "Petani", "Pedagang kaki lima", "Tukang Ojek", ""],
    ["Sukarami", "Sukaramai", "35 Ilir", ""],
    ["Sekayu", "Ilir Barat Dua", ""],
    ["16.06.01.2001", "16.71.01.1001", "1606012001", "99.99.99.9999", ""],
    ["0812-3456-7890", "+62 812 3456", "", "abc"],
    ["Rp 2.500.000", "2,500,000", "2500000", "2,5 juta", "1.5jt", "12345678901234567", "-5", "abc", ""],
    ["09-2026", "Mei 2025", "13-12-2025", "13-2025", "", "x"],
    ["01-01-2024", "2024-01-01", "", "32-01-2024"],
    ["PU", "BPU", "penerima upah", "xyz", ""],
    ["Mandiri", "APBDes", "perusahaan", "??", ""],
    ["Pertanian", "perdagangan", "xyz", ""],
    ["60", "60 orang", "1.200", "60.0", "-1", "x", ""],
    ["1", "10", "11", "0", "x", ""],
    ["JKK, JKM", "JKK JKM JHT", "xyz", ""],
]  # fmt: skip


def _validated(data: bytes) -> Validated:
    raw = read_roster(data, "roster.csv")
    villages = villages_frame([(r.code, r.name) for r in iter_reference("16")])
    return validate_roster(raw, villages, all_codes=set(villages["code"].to_list()), today=TODAY)


@pytest.mark.parametrize("seed", [1, 2])
def test_validator_is_the_same_with_every_path_general(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(seed)

    def cell(values: list[str]) -> str:  # mostly the first (a good value), else any
        return values[0] if rnd.random() < 0.6 else rnd.choice(values)

    def nik() -> str:
        return (
            f"160601{rnd.randint(1, 28) + rnd.choice([0, 40]):02d}{rnd.randint(1, 12):02d}80{rnd.randint(1, 9999):04d}"
        )

    rows = [";".join([nik() if rnd.random() < 0.8 else cell(_ROSTER_VALUES[0])] + [cell(v) for v in _ROSTER_VALUES[1:]])
            for _ in range(600)]  # fmt: skip
    data = "\n".join(["Daftar peserta", ";".join(_ROSTER_HEADER), *rows]).encode()
    fast = _validated(data)
    monkeypatch.setattr(distinct, "DISTINCT_SHARE", -1.0)  # every rule on every row
    monkeypatch.setattr(validate, "add_date_column", functools.partial(add_date_column, fast_path=False))
    monkeypatch.setattr(validate, "add_nik_columns", functools.partial(add_nik_columns, fast_path=False))
    monkeypatch.setattr(reader, "_finish", functools.partial(reader._finish, fast_path=False))
    general = _validated(data)
    assert_frame_equal(fast.rows, general.rows)
    assert_frame_equal(fast.findings, general.findings)
    assert fast.rows["rejected"].any() and not fast.rows["rejected"].all()


def test_birthdate_mismatch_compares_day_month_and_two_digit_year_only() -> None:
    """The findings read the mismatch only on rows whose two dates differ; a date 100 years off the NIK's has
    the same DDMMYY and is no mismatch, as before."""
    rows = [
        "1606014101800012;Siti;01-01-1980;P",  # the NIK's date
        "1606014101800013;Ani;01-01-1880;P",  # 100 years earlier: same day, month and two-digit year
        "1606014101800014;Ina;02-01-1980;P",  # another day
        "1606014101800015;Tuti;01-01-2080;P",
        "1606014101800016;Eka;;P",
    ]
    data = "\n".join(["Daftar peserta", "NIK;Nama;Tgl Lahir;L/P", *rows]).encode()
    found = _validated(data).findings.filter(pl.col("code") == "BIRTHDATE_MISMATCH")
    assert found.select("row", "value", "extra").rows() == [(5, "02-01-1980", "01-01-1980")]
