"""Per-region village-role defaults on validated rows (ucj.contributions.defaults, pure): the most specific region
wins as a whole row, values the roster gives always win, rows without a role are left alone."""

from __future__ import annotations

from typing import Any

import polars as pl

from ucj.contributions.defaults import FIELDS, apply_role_defaults, defaults_table

SUKARAMI = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
LUMPATAN = "16.06.01.2002"  # same kecamatan
AIR_BALUI = "16.06.05.2001"  # Desa Air Balui, Kec. Sanga Desa: same kab (16.06), other kecamatan
PALEMBANG = "16.71.01.1001"  # Kota Palembang: outside 16.06 (province and national rows only)
TABLE = defaults_table(
    [
        # region, role, segment, programs, payer, risk class, income
        (None, "kepala_desa", "PU", "JKK,JKM", "apbdes", 1, None),
        (None, "rt", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000),
        (None, "rentan", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000),
        ("16", "rt", "BPU", "JKK,JKM", "apbd_provinsi", None, 1_000_000),
        ("16.06", "rt", "PU", "JKK, JKM, JHT", "apbdes", 2, None),  # whole row: no income, not the national one
        ("16.06.01", "rt", "BPU", "JKK JKM", "apbdes", None, 1_200_000),
        (SUKARAMI, "rt", "BPU", "JKK,JKM,JKP", "other", None, 1_500_000),
    ]
)


def rows(*specs: dict[str, Any]) -> pl.DataFrame:
    """Validated rows as the validator leaves them: given values (null = not given) and the derived segment,
    programmes and flags that apply without a default."""
    base = {"desa_code": SUKARAMI, "village_role": None, "ecosystem": "lainnya", "segment_given": None,
            "payer": None, "programs_given": None, "income": None}  # fmt: skip
    records = [{**base, **spec} for spec in specs]
    frame = pl.DataFrame(
        records,
        schema={"desa_code": pl.String, "village_role": pl.String, "ecosystem": pl.String, "segment_given": pl.String,
                "payer": pl.String, "programs_given": pl.String, "income": pl.Int64},
    )  # fmt: skip
    derived_segment = pl.when(pl.col("village_role").is_in(["kepala_desa", "perangkat_desa"])).then(pl.lit("PU"))
    frame = frame.with_columns(
        pl.coalesce("segment_given", derived_segment, pl.lit("BPU")).alias("segment"),
        pl.coalesce("programs_given", pl.lit("JKK,JKM")).alias("programs"),
    )
    return frame.with_columns(
        [pl.col("programs").str.contains(rf"\b{p}\b").alias(p.lower()) for p in ("JKK", "JKM", "JHT", "JP", "JKP")]
    )


def applied(frame: pl.DataFrame, table: pl.DataFrame = TABLE) -> list[dict[str, Any]]:
    out = apply_role_defaults(frame, table)
    return out.select("segment", "payer", "programs", "jkk", "jkm", "jht", "jkp", "risk_class", "income").to_dicts()


def test_most_specific_region_wins_desa_kecamatan_kab_province_national() -> None:
    result = applied(rows(
        {"village_role": "rt", "desa_code": SUKARAMI},  # desa row
        {"village_role": "rt", "desa_code": LUMPATAN},  # kecamatan 16.06.01
        {"village_role": "rt", "desa_code": AIR_BALUI},  # kab 16.06
        {"village_role": "rt", "desa_code": PALEMBANG},  # province 16
        {"village_role": "kepala_desa", "desa_code": SUKARAMI},  # only national
    ))  # fmt: skip
    assert [(r["segment"], r["payer"], r["programs"], r["risk_class"], r["income"]) for r in result] == [
        ("BPU", "other", "JKK,JKM,JKP", None, 1_500_000),
        ("BPU", "apbdes", "JKK,JKM", None, 1_200_000),
        ("PU", "apbdes", "JKK,JKM,JHT", 2, None),  # the kab row as a whole: its blank income stays blank
        ("BPU", "apbd_provinsi", "JKK,JKM", None, 1_000_000),
        ("PU", "apbdes", "JKK,JKM", 1, None),
    ]
    assert [(r["jkk"], r["jkm"], r["jht"], r["jkp"]) for r in result] == [
        (True, True, False, True), (True, True, False, False), (True, True, True, False),
        (True, True, False, False), (True, True, False, False),
    ]  # fmt: skip


def test_national_fallback_without_regional_rows() -> None:
    national = TABLE.filter(pl.col("region") == "")
    result = applied(rows({"village_role": "rt", "desa_code": AIR_BALUI}), national)
    assert result == [{"segment": "BPU", "payer": "apbd_kabkota", "programs": "JKK,JKM", "jkk": True, "jkm": True,
                       "jht": False, "jkp": False, "risk_class": None, "income": 1_000_000}]  # fmt: skip


def test_roster_values_always_win() -> None:
    frame = rows(
        {"village_role": "kepala_desa", "segment_given": "BPU", "payer": "mandiri", "programs_given": "JKK,JKM,JHT",
         "income": 3_000_000},
        {"village_role": "rt", "desa_code": AIR_BALUI, "segment_given": "BPU", "income": 900_000},
    )  # fmt: skip
    out = apply_role_defaults(frame, TABLE)
    first, second = out.to_dicts()
    assert (first["segment"], first["payer"], first["programs"], first["jht"], first["income"]) == (
        "BPU", "mandiri", "JKK,JKM,JHT", True, 3_000_000
    )  # fmt: skip
    assert first["risk_class"] == 1  # not given by the roster: the default fills it
    assert (first["defaulted_segment"], first["defaulted_payer"], first["defaulted_programs"]) == (False,) * 3
    assert (first["defaulted_income"], first["defaulted_risk_class"]) == (False, True)
    # Given segment and income stay; the blanks (payer, programmes, risk class) come from the kab row.
    assert (second["segment"], second["payer"], second["programs"], second["risk_class"], second["income"]) == (
        "BPU", "apbdes", "JKK,JKM,JHT", 2, 900_000
    )  # fmt: skip


def test_rows_without_a_role_are_unchanged_and_rentan_gets_its_default() -> None:
    frame = rows(
        {"ecosystem": "pasar"},
        {"ecosystem": "lainnya"},
        {"ecosystem": "rentan"},
        {"village_role": "bpd"},  # a role the table does not configure
        {"village_role": "rt", "desa_code": None},  # no village (a rejected row)
    )
    out = apply_role_defaults(frame, TABLE)
    result = out.select("segment", "payer", "programs", "risk_class", "income").rows()
    assert result == [
        ("BPU", None, "JKK,JKM", None, None),
        ("BPU", None, "JKK,JKM", None, None),
        ("BPU", "apbd_kabkota", "JKK,JKM", None, 1_000_000),
        ("BPU", None, "JKK,JKM", None, None),
        ("BPU", None, "JKK,JKM", None, None),
    ]
    flags = out.select([f"defaulted_{f}" for f in FIELDS]).rows()
    assert flags[2] == (True, True, True, False, True)
    assert all(not any(r) for i, r in enumerate(flags) if i != 2)


def test_village_role_wins_over_rentan_ecosystem() -> None:
    [row] = applied(rows({"village_role": "kepala_desa", "ecosystem": "rentan"}))
    assert (row["segment"], row["payer"], row["risk_class"]) == ("PU", "apbdes", 1)


def test_empty_table_changes_nothing_and_order_is_kept() -> None:
    frame = rows({"village_role": "rt"}, {"ecosystem": "rentan", "desa_code": PALEMBANG}, {"village_role": "rt"})
    out = apply_role_defaults(frame, defaults_table([]))
    assert out.drop([f"defaulted_{f}" for f in FIELDS], "risk_class").equals(frame)
    assert out["risk_class"].null_count() == 3
    assert not out.select(pl.any_horizontal(pl.col("^defaulted_.*$"))).to_series().any()
    # Order and values do not depend on how the rows are arranged (re-imports must compare equal).
    many = pl.concat([frame] * 50).with_row_index("i")
    once = apply_role_defaults(many, TABLE)
    assert once["i"].to_list() == list(range(150))
    assert once.equals(apply_role_defaults(many.reverse(), TABLE).reverse())


def test_defaults_table_from_tuples() -> None:
    table = defaults_table([(None, "rt", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000)])
    assert table.schema["risk_class"] == pl.Int16 and table.schema["income"] == pl.Int64
    assert table.row(0) == ("", "rt", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000)


def test_kelurahan_defaults_never_put_people_on_apbdes() -> None:
    """A kelurahan (4th code segment 1xxx, Kemendagri; shared/domain.md §4.1) has no APBDes (§6): the national
    default 'kepala_desa → APBDes' and a kab-level 'RT → APBDes' row give apbd_kabkota there; a desa keeps APBDes."""
    table = defaults_table([(None, "kepala_desa", "PU", "JKK,JKM", "apbdes", 1, None),
                            ("16.71", "rt", "BPU", "JKK,JKM", "apbdes", None, 1_000_000)])  # fmt: skip
    got = applied(rows({"village_role": "rt", "desa_code": PALEMBANG},
                       {"village_role": "kepala_desa", "desa_code": PALEMBANG},
                       {"village_role": "kepala_desa", "desa_code": SUKARAMI}), table)  # fmt: skip
    assert [g["payer"] for g in got] == ["apbd_kabkota", "apbd_kabkota", "apbdes"]


def test_village_fishermen_in_the_desa_ecosystem_keep_the_vulnerable_default() -> None:
    """Issue 12 item 17: a village's fishermen and street vendors moved from the rentan (or pasar) ecosystem to
    desa (meeting report, shared/domain.md §6); without a village role they still get the vulnerable workers'
    default (BPU, JKK+JKM, the kab/kota APBD, income Rp 1,000,000: TABLE's national rentan row)."""
    out = apply_role_defaults(rows({"ecosystem": "desa"}), TABLE)
    assert out.select("segment", "payer", "programs", "income").rows() == [
        ("BPU", "apbd_kabkota", "JKK,JKM", 1_000_000)]  # fmt: skip
