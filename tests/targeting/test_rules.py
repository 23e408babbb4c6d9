"""The pure rules of targeting: BPJS status words, working age, exclusions, groups, the pipeline's moves."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ucj.targeting import rules


@pytest.mark.parametrize(("text", "expected"), [
    ("aktif", "aktif"), ("AKTIF", "aktif"), ("Aktif ", "aktif"), (" active", "aktif"),
    ("non aktif", "nonaktif"), ("non-aktif", "nonaktif"), ("NON AKTIF", "nonaktif"), ("Nonaktif", "nonaktif"),
    ("tidak aktif", "nonaktif"), ("Tidak Aktif ", "nonaktif"), ("NA", "nonaktif"), ("N/A", "nonaktif"),
    ("meninggal", None), ("", None), (None, None),
])  # fmt: skip
def test_bpjs_status_words(text: str | None, expected: str | None) -> None:
    assert rules.parse_status(text) == expected


def test_age_counts_birthdays_on_the_day() -> None:
    born = pl.DataFrame({"b": [dt.date(2011, 11, 30), dt.date(2011, 12, 1), dt.date(1961, 11, 30),
                               dt.date(1961, 11, 29)]})  # fmt: skip
    ages = born.select(rules.age_expr(pl.col("b"), dt.date(2026, 11, 30))).to_series().to_list()
    assert ages == [15, 14, 65, 65]


def test_exclusions_by_occupation_then_age() -> None:
    frame = pl.DataFrame({
        "occ": ["PEGAWAI NEGERI SIPIL (PNS)", "Kepolisian RI (POLRI)", "Pensiunan", "PELAJAR/MAHASISWA",
                "Mengurus Rumah Tangga", "Petani", "Petani", "Petani", None, "Guru honorer"],
        "born": [dt.date(1990, 1, 1)] * 5 + [dt.date(2012, 1, 1), dt.date(1950, 1, 1), dt.date(1990, 1, 1), None,
                                             dt.date(1990, 1, 1)],
    })  # fmt: skip
    got = frame.select(rules.exclusion_expr(pl.col("occ"), pl.col("born"), dt.date(2026, 11, 30), rules.AgeRule()))
    # an unknown birth date is kept (never hidden); an honorary teacher is not a civil servant
    assert got.to_series().to_list() == ["asn", "tni_polri", "pensioner", "not_working", "not_working",
                                         "under_age", "over_age", None, None, None]  # fmt: skip


def test_groups_from_the_list_the_occupation_and_the_village_role() -> None:
    frame = pl.DataFrame({"occ": ["Nelayan", "Ketua RT 02", "Pedagang kaki lima"], "given": ["UMKM; Pasar", None, ""],
                          "role": ["", "rt", ""]})  # fmt: skip
    got = frame.select(rules.groups_expr(pl.col("occ"), pl.col("given"), pl.col("role"))).to_series().to_list()
    assert got == ["nelayan,pasar,umkm", "perangkat_desa", "pedagang"]


def test_pipeline_moves() -> None:
    assert rules.allowed("identified", "contacted")
    assert not rules.allowed("identified", "submitted")  # only the collective file submits
    assert not rules.allowed("contacted", "registered")  # only a BPJS file registers
    assert not rules.allowed("registered", "active")  # only a paid contribution or a BPJS file activates
    assert not rules.allowed("deceased", "identified")
    assert rules.allowed("declined", "identified")
    assert rules.next_statuses("identified") == ["contacted", "declined", "not_found", "moved", "deceased"]
    assert rules.next_statuses("registered") == ["moved", "deceased"]
    assert {"declined", "not_found", "moved", "deceased"} == rules.NEEDS_REASON
    assert rules.bpjs_target("aktif", "") == "active"
    assert rules.bpjs_target("nonaktif", "123") == "registered"
    assert rules.bpjs_target(None, "") is None


def test_age_exclusion_by_birth_date_bounds_equals_the_age_in_years() -> None:
    """The exclusion compares birth dates with two bounds (rules.born_by); it must agree with the age in years on
    every day around the bounds, 29 February included."""
    rule = rules.AgeRule()
    for as_of in (dt.date(2026, 11, 30), dt.date(2028, 2, 29), dt.date(2027, 3, 1), dt.date(2026, 1, 1)):
        days = [as_of.replace(year=as_of.year - 16, day=1) + dt.timedelta(days=d) for d in range(-400, 400)]
        days += [dt.date(as_of.year - 66, 1, 1) + dt.timedelta(days=d) for d in range(800)]
        born = pl.DataFrame({"b": days})
        got = born.select(rules.age_exclusion(pl.col("b"), as_of, rule)).to_series().to_list()
        years = born.select(rules.age_expr(pl.col("b"), as_of)).to_series().to_list()
        want = ["under_age" if y < rule.minimum else "over_age" if y > rule.maximum else None for y in years]
        assert got == want, as_of
