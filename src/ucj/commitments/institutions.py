"""Village institutions against the registry (pure: Polars, no Django).

Per desa: the positions of each role (kepala desa, perangkat desa, BPD members, RT heads, RW heads) and the
registry people of that role, registered and active. A desa is **fully protected** when every position of every
role that exists there has an active participant (issue 13 §3). A **kelurahan** (4th code segment starting with
1) has no kepala desa, no perangkat desa paid from an APBDes and no BPD — the lurah and the kelurahan staff are
civil servants — so only RT and RW exist there, paid from the APBD (shared/domain.md §6). Figures add up from
desa to kecamatan, kab/kota and province: every level is the sum of the desa rows below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

#: The roles of the scorecard, in the order pages show them (codes of ``registry.VillageRole``).
ROLES = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw")
#: Roles that exist only in a desa, not in a kelurahan (shared/domain.md §6).
DESA_ONLY = ("kepala_desa", "perangkat_desa", "bpd")
#: Optional LKD positions (LPM, linmas, kader); registry people of role ``lkd`` count against their sum.
LKD_FIELDS = ("lpm", "linmas", "kader")
POSITION_FIELDS = (*ROLES, *LKD_FIELDS)
#: Code segments of each level (province 16, kab/kota 16.01, kecamatan 16.01.01, desa 16.01.01.2001).
LEVEL_SEGMENTS = {"provinsi": 1, "kabkota": 2, "kecamatan": 3, "desa": 4}

POSITIONS_SCHEMA = pl.Schema({"desa": pl.String, **{f: pl.Int64 for f in POSITION_FIELDS}})
PEOPLE_SCHEMA = pl.Schema({"desa": pl.String, "role": pl.String, "registered": pl.Int64, "active": pl.Int64})


def is_kelurahan(code: str) -> bool:
    """A village code whose 4th segment starts with 1 is a kelurahan (Kemendagri codes, shared/domain.md §4.1)."""
    parts = code.split(".")
    return len(parts) == 4 and parts[3].startswith("1")


def roles_of(code: str) -> tuple[str, ...]:
    """The roles that exist in village ``code``."""
    return ("rt", "rw") if is_kelurahan(code) else ROLES


def kelurahan_expr(column: str = "desa") -> pl.Expr:
    """:func:`is_kelurahan` as a Polars expression."""
    return pl.col(column).str.split(".").list.get(3, null_on_oob=True).str.starts_with("1").fill_null(False)


def per_desa(villages: Iterable[str], positions: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """One row per village of ``villages``: for each role ``{role}_positions``, ``{role}_registered``,
    ``{role}_active`` (null where the role does not exist: a kelurahan's kepala desa, perangkat desa and BPD),
    ``lkd_*`` likewise, ``reported`` (positions known) and ``fully_protected``.

    ``positions``: :data:`POSITIONS_SCHEMA` (one row per reporting village). ``people``: :data:`PEOPLE_SCHEMA`,
    registry counts per village and role (one grouped query)."""
    base = pl.DataFrame({"desa": sorted(set(villages))}, schema={"desa": pl.String})
    base = base.join(positions.cast(POSITIONS_SCHEMA), on="desa", how="left")
    base = base.with_columns(kelurahan_expr().alias("kelurahan"), pl.col("rt").is_not_null().alias("reported"))
    counts = people.cast(PEOPLE_SCHEMA).pivot(
        on="role", index="desa", values=["registered", "active"], aggregate_function="sum"
    ) if people.height else pl.DataFrame(schema={"desa": pl.String})  # fmt: skip
    base = base.join(counts, on="desa", how="left")
    columns: list[pl.Expr] = []
    for role in (*ROLES, "lkd"):
        exists = ~pl.col("kelurahan") if role in DESA_ONLY else pl.lit(True)
        pos = pl.sum_horizontal(*LKD_FIELDS) if role == "lkd" else pl.col(role)
        if role == "lkd":
            pos = pl.when(pl.any_horizontal(pl.col(f).is_not_null() for f in LKD_FIELDS)).then(pos)
        for name, expr in (("positions", pos), ("registered", _count(counts, f"registered_{role}")),
                           ("active", _count(counts, f"active_{role}"))):  # fmt: skip
            columns.append(pl.when(exists).then(expr).cast(pl.Int64).alias(f"{role}_{name}"))
    base = base.with_columns(columns)
    # Fully protected: every role that exists there has its positions known and at least as many active people.
    checks = [pl.when(~pl.col("kelurahan") if role in DESA_ONLY else pl.lit(True))
              .then(pl.col(f"{role}_positions").is_not_null()
                    & (pl.col(f"{role}_active") >= pl.col(f"{role}_positions")))
              .otherwise(True) for role in ROLES]  # fmt: skip
    return base.with_columns((pl.col("reported") & pl.all_horizontal(checks)).alias("fully_protected")).select(
        "desa", "kelurahan", "reported", "fully_protected",
        *[f"{role}_{n}" for role in (*ROLES, "lkd") for n in ("positions", "registered", "active")],
    )  # fmt: skip


def _count(counts: pl.DataFrame, column: str) -> pl.Expr:
    return pl.col(column).fill_null(0) if column in counts.columns else pl.lit(0)


def roll_up(desa_rows: pl.DataFrame, level: str) -> pl.DataFrame:
    """Sum the desa rows of :func:`per_desa` to regions of ``level`` (``provinsi``, ``kabkota``, ``kecamatan``,
    ``desa``): the same columns (nulls count 0) plus ``villages`` (all), ``reported`` and ``fully_protected``
    (counts of villages). Every level is the sum of the desa rows below it, so the levels add up."""
    segments = LEVEL_SEGMENTS[level]
    numbers = [c for c in desa_rows.columns if c.endswith(("_positions", "_registered", "_active"))]
    return (
        desa_rows.with_columns(pl.col("desa").str.split(".").list.head(segments).list.join(".").alias("code"))
        .group_by("code")
        .agg(pl.len().alias("villages"), pl.col("reported").sum(), pl.col("fully_protected").sum(),
             pl.col("kelurahan").sum().alias("kelurahan"), *[pl.col(c).fill_null(0).sum() for c in numbers])
        .sort("code")
    )  # fmt: skip


def entry(row: dict[str, Any]) -> dict[str, Any]:
    """The ``institutions`` and ``villages`` parts of a scorecard entry from a :func:`roll_up` row.

    A role that does not exist in any village of the row (a kelurahan's kepala desa) is ``None``."""
    institutions: dict[str, Any] = {}
    for role in (*ROLES, "lkd"):
        positions = row.get(f"{role}_positions")
        applicable = not (role in DESA_ONLY and row.get("kelurahan") == row.get("villages"))
        institutions[role] = {"positions": int(positions or 0), "registered": int(row.get(f"{role}_registered") or 0),
                              "active": int(row.get(f"{role}_active") or 0)} if applicable else None  # fmt: skip
    villages = int(row.get("villages") or 0)
    fully = int(row.get("fully_protected") or 0)
    return {
        "institutions": institutions,
        "villages": {"total": villages, "reported": int(row.get("reported") or 0), "fully_protected": fully,
                     "pct": pct(fully, villages)},
    }  # fmt: skip


def pct(part: float | None, whole: float | None) -> float | None:
    """``part / whole`` in percent with one decimal, None without a whole."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)
