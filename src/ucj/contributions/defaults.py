"""Per-region village-role defaults applied to validated roster rows (pure, vectorised; no Django).

A region registers its village officials, RT/RW and vulnerable workers in its own way (shared/domain.md §2,
issue 4): e.g. kepala/perangkat desa as PU on siltap paid from APBDes/ADD, RT/RW and vulnerable workers as BPU
at the lowest band paid by the regency's APBD. The defaults table holds one row per (region, role); region
``""`` is the national fallback. For each row the most specific region whose code is an ancestor of (or equal
to) the row's desa code wins, as a whole row: desa > kecamatan > kab/kota > province > national.

A kelurahan (4th code segment starting with 1) has no APBDes, BPD or kepala desa: a default payer ``apbdes``
becomes ``apbd_kabkota`` there (its RT/RW are paid from the kab/kota APBD; shared/domain.md §6, issue 12).

The role key of a row is its village role, else ``"rentan"`` when its ecosystem is ``rentan`` or ``desa`` (a
village's fishermen and street vendors without a village role are in the desa ecosystem since issue 12 item 17,
and keep the vulnerable workers' default they had when they were ``rentan``), else none (no default; the
validator's own segment and programme defaults stay). Values the roster gives always win.

The rule runs once per distinct (desa, role) pair and is joined back to the rows, so a million-row roster
costs one join, not a million lookups.
"""

from __future__ import annotations

import polars as pl

from ucj.registry import vocab

RENTAN = "rentan"
APBDES, APBD_KABKOTA = "apbdes", "apbd_kabkota"
#: A village code whose 4th segment starts with 1 is a kelurahan (Kemendagri; shared/domain.md §4.1).
KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.1"
#: Columns of a defaults table.
TABLE_SCHEMA = pl.Schema(
    {
        "region": pl.String,
        "role": pl.String,
        "segment": pl.String,
        "programs": pl.String,
        "payer": pl.String,
        "risk_class": pl.Int16,
        "income": pl.Int64,
    }
)
#: The fields a default can fill; ``defaulted_<field>`` flags the rows where it did.
FIELDS = ("segment", "payer", "programs", "risk_class", "income")
_FLAGS = tuple(p.lower() for p in vocab.PROGRAMS)
_LEVELS = 4  # province, kab/kota, kecamatan, desa


def defaults_table(rows: list[tuple[object, ...]] | pl.DataFrame) -> pl.DataFrame:
    """A defaults table from ``(region, role, segment, programs, payer, risk_class, income)`` tuples or a frame
    with those columns; a missing region (None) is the national fallback ``""``."""
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, schema=list(TABLE_SCHEMA), orient="row")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in TABLE_SCHEMA.items()]).with_columns(
        pl.col("region").fill_null("")
    )


def role_key() -> pl.Expr:
    """The key a row's defaults are looked up by: its village role, else ``rentan`` for vulnerable workers and
    for the village's workers without a role (desa ecosystem: fishermen, street vendors)."""
    return (
        pl.when(pl.col("village_role").is_not_null())
        .then(pl.col("village_role"))
        .when(pl.col("ecosystem").is_in([RENTAN, "desa"]))
        .then(pl.lit(RENTAN))
        .otherwise(None)
    )


def apply_role_defaults(rows: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Fill segment, payer, programmes (``programs`` and the jkk…jkp flags), risk class and income of ``rows``
    where the roster did not give them, from the most specific matching row of ``table``.

    ``rows`` needs ``desa_code``, ``village_role``, ``ecosystem``, the given values ``segment_given``,
    ``payer``, ``programs_given`` and ``income`` (null = not given), and the derived ``segment``, ``programs``
    and programme flags that apply when there is no default. Adds ``risk_class`` when absent and a boolean
    ``defaulted_<field>`` per field of :data:`FIELDS`.
    """
    if "risk_class" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, dtype=pl.Int16).alias("risk_class"))
    table = defaults_table(table)
    if table.is_empty() or rows.is_empty():
        return rows.with_columns([pl.lit(False).alias(f"defaulted_{f}") for f in FIELDS])
    rows = rows.with_columns(role_key().alias("_role"))
    best = _best_defaults(rows["desa_code"].drop_nulls().unique(), table)
    joined = rows.join(best, on=["desa_code", "_role"], how="left", maintain_order="left")
    c = pl.col
    # A kelurahan has no APBDes (shared/domain.md §6): a default that says APBDes pays there means the kab/kota.
    kelurahan = c("desa_code").str.contains(KELURAHAN_CODE).fill_null(False)
    joined = joined.with_columns(
        pl.when(kelurahan & (c("_d_payer") == APBDES)).then(pl.lit(APBD_KABKOTA)).otherwise(c("_d_payer"))
        .alias("_d_payer")
    )
    has = c("_d_role").is_not_null()
    fill = {
        "segment": has & c("segment_given").is_null() & c("_d_segment").is_not_null(),
        "payer": has & c("payer").is_null() & c("_d_payer").is_not_null(),
        "programs": has & c("programs_given").is_null() & c("_d_programs").is_not_null(),
        "risk_class": has & c("risk_class").is_null() & c("_d_risk_class").is_not_null(),
        "income": has & c("income").is_null() & c("_d_income").is_not_null(),
    }
    joined = joined.with_columns([cond.alias(f"defaulted_{name}") for name, cond in fill.items()])
    filled = [
        pl.when(c(f"defaulted_{name}")).then(c(f"_d_{name}")).otherwise(c(name)).alias(name) for name in FIELDS
    ] + [pl.when(c("defaulted_programs")).then(c(f"_d_{p}")).otherwise(c(p)).alias(p) for p in _FLAGS]
    return joined.with_columns(filled).drop("_role", *[n for n in joined.columns if n.startswith("_d_")])


def _best_defaults(desa_codes: pl.Series, table: pl.DataFrame) -> pl.DataFrame:
    """Per desa code and configured role (column ``_role``): the values of the most specific matching table
    row, columns ``_d_<field>``, ``_d_jkk``… and ``_d_role`` (non-null: a default exists)."""
    desas = desa_codes.alias("desa_code").to_frame()
    parts = desas.with_columns(pl.col("desa_code").str.split(".").alias("_parts"))
    ancestors = pl.concat(
        [desas.with_columns(pl.lit("").alias("_region"), pl.lit(0, dtype=pl.Int8).alias("_level"))]
        + [
            parts.select(
                "desa_code",
                pl.col("_parts").list.head(level).list.join(".").alias("_region"),
                pl.lit(level, dtype=pl.Int8).alias("_level"),
            )
            for level in range(1, _LEVELS + 1)
        ]
    )
    programs = {t: ",".join(vocab.programs_from(t) or ()) or None for t in table["programs"].drop_nulls().unique()}
    values = table.with_columns(
        pl.col("programs").replace_strict(programs, default=None, return_dtype=pl.String),
        pl.col("role").alias("_role"),
    ).with_columns(
        *[pl.col("programs").str.contains(rf"\b{p}\b").alias(p.lower()) for p in vocab.PROGRAMS],
    )
    renamed = values.rename({n: f"_d_{n}" for n in values.columns if n not in ("region", "_role")})
    matched = ancestors.join(renamed, left_on="_region", right_on="region", how="inner")
    return (
        matched.sort("_level", descending=True)
        .unique(subset=["desa_code", "_role"], keep="first", maintain_order=False)
        .drop("_region", "_level")
    )
