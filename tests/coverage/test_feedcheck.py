"""Checking participation feeds, denominators and targets (pure, no database): reading, header aliases, months,
counts, regions, scope and every finding type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ucj.coverage import feedcheck as fc

TODAY = dt.date(2025, 6, 10)
REGIONS = pl.DataFrame(
    [
        ("16", "Sumatera Selatan", 1, "provinsi"),
        ("16.04", "Kabupaten Lahat", 2, "kabupaten"),
        ("16.06", "Kabupaten Musi Banyuasin", 2, "kabupaten"),
        ("16.06.01", "Sekayu", 3, "kecamatan"),
        ("16.71", "Kota Palembang", 2, "kota"),
        ("32", "Jawa Barat", 1, "provinsi"),
        ("32.16", "Kabupaten Bekasi", 2, "kabupaten"),
        ("32.75", "Kota Bekasi", 2, "kota"),
        ("99.01", "Kabupaten Kembar", 2, "kabupaten"),
        ("99.02", "Kabupaten Kembar", 2, "kabupaten"),
    ],
    schema=["code", "name", "level", "kind"],
    orient="row",
)
HEADER = "Kode Wilayah,Kabupaten/Kota,Bulan,Segmen,Ekosistem,Pembayar,Peserta Aktif"


def feed(lines: list[str], scope: tuple[str, ...] | None = None) -> fc.Checked:
    raw = fc.read_table("\n".join(lines).encode(), "feed.csv", fc.FEED_ALIASES, fc.FEED_REQUIRED)
    return fc.validate_feed(raw, REGIONS, scope=scope, today=TODAY)


def one(line: str, header: str = HEADER, scope: tuple[str, ...] | None = None) -> dict[str, Any]:
    checked = feed([header, line], scope)
    row = checked.rows.row(0, named=True)
    row["codes"] = {f.code for f in checked.findings_list()}
    return row


def codes(checked: fc.Checked) -> set[tuple[int, str]]:
    return {(f.row, f.code) for f in checked.findings_list()}


# ---------------------------------------------------------------- reading and headers


def test_clean_feed_with_title_rows_and_semicolons() -> None:
    text = ["Laporan Peserta Aktif BPJS Ketenagakerjaan;;;", "", HEADER.replace(",", ";"),
            "16.06;Musi Banyuasin;2024-03;PU;;;12.345", "16.71;Kota Palembang;2024-03;BPU;desa;APBD;1,234"]  # fmt: skip
    checked = feed(text)
    assert checked.rejected == 0 and not checked.findings_list()
    assert checked.raw.header_row == 3
    rows = checked.ok.select("_row", "region", "month", "segment", "ecosystem", "payer", "active").rows()
    assert rows == [(4, "16.06", dt.date(2024, 3, 1), "PU", "", "", 12345),
                    (5, "16.71", dt.date(2024, 3, 1), "BPU", "desa", "apbd_kabkota", 1234)]  # fmt: skip


@pytest.mark.parametrize(
    "header",
    [
        "Kode Wilayah,Bulan,Segmen,Peserta Aktif",
        "kode,Periode,segmen,Jumlah",
        "kode_kab,month,segment,aktif",
        "region,MONTH,Segment,active",
        "KODE WILAYAH,BULAN,SEGMEN,JUMLAH PESERTA AKTIF",
    ],
)
def test_header_aliases(header: str) -> None:
    row = one("1606,Maret 2024,BPU,10", header)
    assert (row["region"], row["month"], row["segment"], row["active"]) == ("16.06", dt.date(2024, 3, 1), "BPU", 10)
    assert not row["codes"]


def test_region_name_column_alone() -> None:
    row = one("Kabupaten Musi Banyuasin,2024-03,PU,5", "Kabupaten/Kota,Bulan,Segmen,Jumlah")
    assert row["region"] == "16.06" and not row["codes"]
    row = one("Musi Banyuasin,2024-03,PU,5", "Wilayah,Bulan,Segmen,Jumlah")
    assert row["region"] == "16.06"


def test_a_region_column_holding_names() -> None:
    assert one("Kota Palembang,2024-03,PU,5", "region,month,segment,active")["region"] == "16.71"


@pytest.mark.parametrize(
    ("header", "missing"),
    [("Bulan,Segmen,Peserta Aktif", "Kode Wilayah"), ("Kode Wilayah,Segmen,Peserta Aktif", "Bulan"),
     ("Kode Wilayah,Bulan,Segmen", "Peserta Aktif")],
)  # fmt: skip
def test_missing_required_column(header: str, missing: str) -> None:
    with pytest.raises(fc.FeedFileError) as err:
        fc.read_table(f"{header}\n1,2,3".encode(), "f.csv", fc.FEED_ALIASES, fc.FEED_REQUIRED)
    assert err.value.code == "FILE_MISSING_COLUMN" and missing in err.value.finding.value
    assert "Kolom wajib tidak ada" in err.value.finding.message("id")
    assert "Required column missing" in err.value.finding.message("en")


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "FILE_EMPTY"), (b"  \n ", "FILE_EMPTY"), (b"%PDF-1.4 binary\x00", "FILE_NOT_SPREADSHEET"),
     (b"nama,alamat\nx,y", "FILE_NO_HEADER"), (HEADER.encode() + b"\n,,,,,,\n", "FILE_NO_ROWS"),
     (b"PK\x03\x04garbage", "FILE_NOT_SPREADSHEET")],
)  # fmt: skip
def test_file_level_refusals(data: bytes, code: str) -> None:
    with pytest.raises(fc.FeedFileError) as err:
        fc.read_table(data, "feed.pdf", fc.FEED_ALIASES, fc.FEED_REQUIRED)
    assert err.value.code == code


def test_xlsx_with_date_cells_and_numbers(write_xlsx: Callable[..., Path]) -> None:
    path = write_xlsx([["Rekap peserta aktif"], ["Kode Wilayah", "Bulan", "Segmen", "Peserta Aktif"],
                       ["16.06", dt.date(2024, 3, 1), "PU", 12345], [1671, "April 2024", "BPU", 7.0]])  # fmt: skip
    raw = fc.read_table(path.read_bytes(), path.name, fc.FEED_ALIASES, fc.FEED_REQUIRED)
    checked = fc.validate_feed(raw, REGIONS, today=TODAY)
    assert checked.rejected == 0, checked.findings_list()
    assert checked.ok.select("_row", "region", "month", "active").rows() == [
        (3, "16.06", dt.date(2024, 3, 1), 12345), (4, "16.71", dt.date(2024, 4, 1), 7)]  # fmt: skip


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-03", (2024, 3)), ("2024/03", (2024, 3)), ("03/2024", (2024, 3)), ("3-2024", (2024, 3)),
     ("Mar 2024", (2024, 3)), ("Maret 2024", (2024, 3)), ("MARET 2024", (2024, 3)), ("Mar-24", (2024, 3)),
     ("Agustus 2024", (2024, 8)), ("Agt 2024", (2024, 8)), ("Mei 2024", (2024, 5)), ("Desember 2024", (2024, 12)),
     ("Nopember 2024", (2024, 11)), ("Oktober-24", (2024, 10)), ("2024-03-15", (2024, 3)), ("15/03/2024", (2024, 3)),
     ("45352", (2024, 3)), ("2024-03-01 00:00:00", (2024, 3))],
)  # fmt: skip
def test_months(text: str, month: tuple[int, int]) -> None:
    row = one(f"16.06,,{text},PU,,,1")
    assert row["month"] == dt.date(*month, 1) and not row["codes"]


@pytest.mark.parametrize("text", ["2024-13", "Maretan 2024", "13/2024", "kemarin", "2024"])
def test_bad_months(text: str) -> None:
    row = one(f"16.06,,{text},PU,,,1")
    assert row["rejected"] and row["codes"] == {"MONTH_INVALID"}


def test_month_missing_and_future() -> None:
    checked = feed([HEADER, "16.06,,,PU,,,1", "16.06,,2025-07,PU,,,1", "16.06,,2025-06,BPU,,,1"])
    assert codes(checked) == {(2, "MONTH_MISSING"), (3, "MONTH_FUTURE")}
    future = next(f for f in checked.findings_list() if f.code == "MONTH_FUTURE")
    assert future.message("en") == "Month 2025-07 is in the future (current month: 2025-06)."


@pytest.mark.parametrize(
    ("text", "value"),
    [("12345", 12345), ("12.345", 12345), ("1.234.567", 1234567), ('"12,345"', 12345), ("12 345", 12345),
     ('"12.345,00"', 12345), ("12345.0", 12345), ("0", 0)],
)  # fmt: skip
def test_counts(text: str, value: int) -> None:
    row = one(f"16.06,,2024-03,PU,,,{text}")
    assert row["active"] == value and not row["codes"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("-5", "COUNT_NEGATIVE"), ("(5)", "COUNT_NEGATIVE"), ('"-1.234"', "COUNT_NEGATIVE"), ("12.5", "COUNT_DECIMAL"),
     ('"1,5"', "COUNT_DECIMAL"), ('"12.345,5"', "COUNT_DECIMAL"), ("banyak", "COUNT_INVALID"),
     ("12a", "COUNT_INVALID"), ("", "COUNT_MISSING")],
)  # fmt: skip
def test_bad_counts(text: str, code: str) -> None:
    row = one(f"16.06,,2024-03,PU,,,{text}")
    assert row["rejected"] and row["codes"] == {code}


@pytest.mark.parametrize(
    ("segment", "expected"),
    [("PU", "PU"), ("penerima upah", "PU"), ("Bukan Penerima Upah", "BPU"), ("bpu", "BPU"),
     ("Jasa Konstruksi", "JAKON"), ("JAKON", "JAKON"), ("PMI", "PMI"), ("Pekerja Migran Indonesia", "PMI"),
     ("wage earners", "PU")],
)  # fmt: skip
def test_segment_words(segment: str, expected: str) -> None:
    assert one(f"16.06,,2024-03,{segment},,,1")["segment"] == expected


def test_vocabulary_findings() -> None:
    checked = feed([HEADER, "16.06,,2024-03,,,,1", "16.06,,2024-03,PNS,,,1", "16.06,,2024-03,BPU,kantor,,1",
                    "16.06,,2024-03,BPU,,bank,1", "16.06,,2024-03,BPU,Pasar,Dana Desa,1"])  # fmt: skip
    assert codes(checked) == {(2, "SEGMENT_MISSING"), (3, "SEGMENT_UNKNOWN"), (4, "ECOSYSTEM_UNKNOWN"),
                              (5, "PAYER_UNKNOWN")}  # fmt: skip
    last = checked.rows.filter(pl.col("_row") == 6).row(0, named=True)
    assert (last["ecosystem"], last["payer"], last["rejected"]) == ("pasar", "apbdes", False)


# ---------------------------------------------------------------- regions, scope, duplicates


def test_region_findings() -> None:
    checked = feed([
        HEADER,
        ",,2024-03,PU,,,1",  # no region at all
        "16.99,,2024-03,PU,,,1",  # unknown code
        "16-06-x,,2024-03,PU,,,1",  # not a code
        ",Kabupaten Entah,2024-03,PU,,,1",  # unknown name
        ",Kembar,2024-03,PU,,,1",  # two regions share the name
        "16.06,Kota Palembang,2024-03,PU,,,1",  # code and name disagree
        "16.06.01,,2024-03,PU,,,1",  # a kecamatan code is fine
        ",Kota Bekasi,2024-03,PU,,,1",  # kota vs kabupaten told apart
        ",Bekasi,2024-03,BPU,,,1",  # ... and without "Kota" it is the kabupaten
    ])  # fmt: skip
    assert codes(checked) == {(2, "REGION_MISSING"), (3, "REGION_UNKNOWN"), (4, "REGION_UNKNOWN"),
                              (5, "REGION_UNKNOWN"), (6, "REGION_AMBIGUOUS"), (7, "REGION_MISMATCH")}  # fmt: skip
    ok = dict(checked.ok.select("_row", "region").rows())
    assert ok == {8: "16.06.01", 9: "32.75", 10: "32.16"}
    ambiguous = next(f for f in checked.findings_list() if f.code == "REGION_AMBIGUOUS")
    assert "99.01" in ambiguous.extra and "99.02" in ambiguous.extra and ambiguous.column == "Kode Wilayah"
    mismatch = next(f for f in checked.findings_list() if f.code == "REGION_MISMATCH")
    assert mismatch.message("id") == (
        "Kode wilayah 16.06 tidak sesuai dengan nama wilayah di baris ini (Kota Palembang = 16.71)."
    )


def test_scope_refuses_regions_outside() -> None:
    checked = feed([HEADER, "16.06,,2024-03,PU,,,1", "16.06.01,,2024-03,PU,,,1", "16.71,,2024-03,PU,,,1",
                    "16,,2024-03,PU,,,1"], scope=("16.06",))  # fmt: skip
    assert codes(checked) == {(4, "REGION_OUTSIDE"), (5, "REGION_OUTSIDE")}
    outside = next(f for f in checked.findings_list() if f.row == 4)
    assert outside.value == "16.71" and outside.extra == "16.06"
    assert outside.message("en") == "Region 16.71 lies outside your regions (16.06)."


def test_duplicate_cells_in_the_file() -> None:
    checked = feed([HEADER, "16.06,,2024-03,PU,,,1", "1606,,Maret 2024,Penerima Upah,,,2",
                    "16.06,,2024-03,PU,desa,,3", "16.06,,2024-03,PU,Desa,,4", "16.06,,2024-04,PU,,,5"])  # fmt: skip
    assert codes(checked) == {(3, "DUPLICATE_IN_FILE"), (5, "DUPLICATE_IN_FILE")}
    first = next(f for f in checked.findings_list() if f.row == 3)
    assert first.extra == "2" and first.value == "16.06 × 2024-03 × PU"
    assert first.message("en") == "The same cell (16.06 × 2024-03 × PU) is already on row 2."


def test_total_rows_are_skipped_with_an_info_finding() -> None:
    checked = feed([HEADER, "16.06,,2024-03,PU,,,1", ",TOTAL,,,,,1", "Jumlah,,,,,,1", ",Grand Total,2024-03,PU,,,9"])
    assert checked.rejected == 0 and checked.rows.height == 1
    assert codes(checked) == {(3, "TOTAL_ROW_SKIPPED"), (4, "TOTAL_ROW_SKIPPED"), (5, "TOTAL_ROW_SKIPPED")}
    assert all(f.severity == "info" for f in checked.findings_list())


def test_every_finding_is_bilingual() -> None:
    for code, t in fc.ISSUE_TYPES.items():
        finding = fc.Finding(row=1, column="x", code=code, value="v", extra="e")
        assert finding.message("id") and finding.message("en") and finding.message("id") != finding.message("en")
        assert set(finding.as_dict()) >= {"row", "column", "code", "severity", "message", "message_en"}, t


# ---------------------------------------------------------------- workforce and targets


def table(lines: list[str], aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> fc.RawTable:
    return fc.read_table("\n".join(lines).encode(), "f.csv", aliases, required)


def test_workforce_rows() -> None:
    raw = table(["kode,tahun,definisi,jumlah,sumber",
                 "16,2024,eligible,2.800.000,BPJS Kanwil Sumbagsel",
                 "16,2024,BPS,4.400.000,BPS Sakernas Agustus 2023",
                 "16.06,2024,pekerja rentan,90000,P3KE",
                 "16.71,2024,eligible,-1,x",
                 "16.71,20x4,semua,,",
                 "16,2024,Pekerja Eligible,1,duplikat"], fc.WORKFORCE_ALIASES, fc.WORKFORCE_REQUIRED)  # fmt: skip
    checked = fc.validate_workforce(raw, REGIONS)
    assert codes(checked) == {(5, "COUNT_NEGATIVE"), (6, "YEAR_INVALID"), (6, "DEFINITION_UNKNOWN"),
                              (6, "COUNT_MISSING"), (6, "SOURCE_MISSING"), (7, "DUPLICATE_IN_FILE")}  # fmt: skip
    assert checked.ok.select("region", "year", "definition", "workers").rows() == [
        ("16", 2024, "eligible", 2_800_000), ("16", 2024, "bps_employed", 4_400_000),
        ("16.06", 2024, "vulnerable", 90_000)]  # fmt: skip


def test_workforce_source_column_is_required() -> None:
    with pytest.raises(fc.FeedFileError) as err:
        table(["region,year,definition,workers", "16,2024,eligible,1"], fc.WORKFORCE_ALIASES, fc.WORKFORCE_REQUIRED)
    assert err.value.code == "FILE_MISSING_COLUMN" and err.value.finding.value == "Sumber"


def test_target_rows() -> None:
    raw = table(["region,year,definition,rate,count,source",
                 "16,2025,eligible,50,,BPJS Kanwil Sumbagsel Agustus 2024",
                 '16,2024,eligible,"37,58",,Rakortek Januari 2024',
                 "16.06,2025,eligible,52.15%,110000,target nasional 2025",
                 "16.71,2025,eligible,,1500000,hitungan",
                 "16.04,2025,eligible,0.5,,pecahan?",
                 "16.04,2024,eligible,120,,x",
                 "16.04,2023,eligible,37.585,,x",
                 "16.04,2022,eligible,,,x",
                 "16.04,2021,,40,,x"], fc.TARGET_ALIASES, fc.TARGET_REQUIRED)  # fmt: skip
    checked = fc.validate_targets(raw, REGIONS, scope=("16",))
    assert codes(checked) == {(6, "RATE_FRACTION"), (7, "RATE_INVALID"), (8, "RATE_INVALID"), (9, "TARGET_MISSING"),
                              (10, "DEFINITION_MISSING")}  # fmt: skip
    assert checked.ok.select("region", "year", "rate", "count").rows() == [
        ("16", 2025, "50", None), ("16", 2024, "37.58", None), ("16.06", 2025, "52.15", 110_000),
        ("16.71", 2025, None, 1_500_000), ("16.04", 2025, "0.5", None)]  # fmt: skip


def test_workforce_bpu_universe_words() -> None:
    """Issue 12 item 18: the Bappenas indicator's denominator, the universe of BPU (informal) workers (reference
    code 06.02.021, domain.md §3.1), loads as definition ``bpu_universe`` under the words offices use; 2.77
    million informal workers in Sumsel, BPS Sakernas Aug 2023 (domain.md §4.2)."""
    raw = table(["kode,tahun,definisi,jumlah,sumber",
                 "16,2023,Semesta PBPU,2.770.000,BPS Sakernas Agustus 2023 (informal)",
                 "16.06,2023,pekerja informal,200000,BPS",
                 "16.71,2023,bpu_universe,400000,BPS",
                 "16.04,2023,Bappenas 06.02.021,50000,BPS"], fc.WORKFORCE_ALIASES, fc.WORKFORCE_REQUIRED)  # fmt: skip
    checked = fc.validate_workforce(raw, REGIONS)
    assert checked.rejected == 0
    assert checked.ok["definition"].to_list() == ["bpu_universe"] * 4
    assert checked.ok["workers"].to_list() == [2_770_000, 200_000, 400_000, 50_000]
