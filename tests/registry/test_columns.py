"""Recognising roster columns from the headers operators actually write."""

from __future__ import annotations

import pytest

from ucj.registry.columns import (
    ALIASES,
    FIELD_LABELS,
    ColumnMap,
    field_for,
    fold_header,
    header_score,
    map_columns,
)


@pytest.mark.parametrize(
    ("header", "folded"),
    [("No. KTP ", "no ktp"), ("NO KTP", "no ktp"), ("no_ktp", "no ktp"), ("Jenis_Kelamin (L/P)", "jenis kelamin l p"),
     ("  Tgl.Lahir  ", "tgl lahir"), ("", ""), (None, ""), (2024, "2024")],
)  # fmt: skip
def test_fold_header(header: object, folded: str) -> None:
    assert fold_header(header) == folded


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("NIK", "nik"), ("No. KTP", "nik"), ("NO KTP", "nik"), ("Nomor Induk Kependudukan", "nik"),
        ("NIK (16 digit)", "nik"),
        ("Nama", "name"), ("Nama Lengkap", "name"), ("NAMA SESUAI KTP", "name"),
        ("Tgl Lahir", "birth_date"), ("Tanggal Lahir", "birth_date"), ("Tgl. Lahir", "birth_date"),
        ("Tempat/Tgl Lahir", "birth_date"), ("Tempat, Tanggal Lahir", "birth_date"), ("TTL", "birth_date"),
        ("L/P", "sex"), ("Jenis Kelamin", "sex"), ("Jenis Kelamin (L/P)", "sex"), ("JK", "sex"),
        ("Jabatan", "position"), ("Pekerjaan", "position"), ("Jenis Pekerjaan", "position"),
        ("Desa", "desa"), ("Kelurahan", "desa"), ("Desa/Kelurahan", "desa"), ("Nama Desa", "desa"),
        ("Kecamatan", "kecamatan"), ("Kec.", "kecamatan"),
        ("Kabupaten/Kota", "kabkota"), ("Kab/Kota", "kabkota"),
        ("Kode Desa", "village_code"), ("Kode Wilayah", "village_code"),
        ("No HP", "phone"), ("No. HP/WA", "phone"), ("Nomor Telepon", "phone"),
        ("Penghasilan (Rp/bulan)", "income"), ("Penghasilan (Rp)", "income"), ("Upah/Gaji", "income"),
        ("Siltap", "income"),
        ("Segmen", "segment"), ("Sumber Dana", "payer"), ("Program", "programs"), ("No KPJ", "kpj"),
        ("TMT", "coverage_start"), ("Iuran s/d", "paid_through"), ("Lunas s.d.", "paid_through"),
        ("Desil", "poverty_decile"),
    ],
)  # fmt: skip
def test_field_for_usual_headers(header: str, field: str) -> None:
    assert field_for(header) == field


@pytest.mark.parametrize("header", ["No", "No.", "Keterangan", "Tanda Tangan", "", None, "(Rp)"])
def test_field_for_unknown_headers_is_none(header: str | None) -> None:
    assert field_for(header) is None


def test_every_alias_maps_to_its_field_and_every_field_has_a_label() -> None:
    for name, aliases in ALIASES.items():
        assert name in FIELD_LABELS
        for alias in aliases:
            assert field_for(alias) == name, alias
            assert field_for(alias.upper()) == name, alias


@pytest.fixture
def cmap() -> ColumnMap:
    return map_columns(["No", " NIK ", "No. KTP", "Nama", "", "Keterangan", "Nama Lengkap", "L/P"])


def test_map_columns_first_column_wins_and_the_rest_are_ignored(cmap: ColumnMap) -> None:
    assert cmap.used == {"nik": 1, "name": 3, "sex": 7}
    assert cmap.ignored == ["No", "No. KTP", "Keterangan", "Nama Lengkap"]  # blank headers are not listed
    assert cmap.headers == ["No", "NIK", "No. KTP", "Nama", "", "Keterangan", "Nama Lengkap", "L/P"]  # trimmed


def test_header_of_gives_the_header_as_written_or_the_field_label(cmap: ColumnMap) -> None:
    assert cmap.header_of("nik") == "NIK"
    assert cmap.header_of("sex") == "L/P"
    assert cmap.header_of("birth_date") == "Tanggal lahir"  # absent column: the field's label


def test_describe(cmap: ColumnMap) -> None:
    assert cmap.describe() == {
        "used": {"nik": "NIK", "name": "Nama", "sex": "L/P"},
        "ignored": ["No", "No. KTP", "Keterangan", "Nama Lengkap"],
        "headers": ["No", "NIK", "No. KTP", "Nama", "", "Keterangan", "Nama Lengkap", "L/P"],
    }


def test_map_columns_of_none_cells() -> None:
    cmap = map_columns([None, "NIK", None])  # type: ignore[list-item]
    assert cmap.used == {"nik": 1} and cmap.ignored == [] and cmap.headers == ["", "NIK", ""]


@pytest.mark.parametrize(
    ("cells", "score"),
    [
        (["NIK", "Nama", "Tgl Lahir", "Keterangan"], (True, 3)),
        (["No", "No. KTP", "Nama Lengkap", None, ""], (True, 2)),
        (["NIK"], (True, 1)),
        (["Nama", "Alamat"], (False, 2)),
        (["DAFTAR PERANGKAT DESA SUKARAMI", None, ""], (False, 0)),
        ([], (False, 0)),
    ],
)
def test_header_score(cells: list[object], score: tuple[bool, int]) -> None:
    assert header_score(cells) == score
