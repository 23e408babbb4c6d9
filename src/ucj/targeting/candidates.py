"""Candidates for enrolment (pure, vectorised Polars; issue 14 §3).

Who is a candidate: a person in any list, deduplicated by NIK across lists, of working age, not excluded by
occupation (ASN, TNI/Polri, …), and **not active**. Active means: the newest BPJS file that reports the NIK (as of
its date) says "aktif"; for a NIK no BPJS file reports, the registry says active (paid through within the lapse
rule, :mod:`ucj.registry.status`). Lapsed people (BPJS "non aktif", or registry paid-through too old) are
candidates: reactivation. Order: :func:`ucj.targeting.rules.priority_sort_keys`.

The work is ordered so the large frames shrink early: the anti-join against active NIKs runs on the raw list rows
first (the same join a plain Polars anti-join does), and the dedup only on what is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from ucj.targeting import rules

#: The list frame: one row per list row (the same NIK may appear in several lists, even twice in one).
LIST_SCHEMA = pl.Schema({
    "nik": pl.String, "name": pl.String, "birth_date": pl.Date, "sex": pl.String, "desa": pl.String,
    "decile": pl.Int16, "occupation": pl.String, "village_role": pl.String, "groups": pl.String,
    "source": pl.String, "kind": pl.String,
})  # fmt: skip
#: BPJS records: every record of every file up to the date (the newest per NIK wins).
BPJS_SCHEMA = pl.Schema({"nik": pl.String, "status": pl.String, "kpj": pl.String, "as_of": pl.Date,
                         "file_id": pl.Int64})  # fmt: skip
#: Registry people: paid-through decides their status when no BPJS file reports them.
REGISTRY_SCHEMA = pl.Schema({"nik": pl.String, "paid_through": pl.Date})

#: Which list's values win when lists disagree on a person: the village's own population export knows the
#: domicile best; DTSEN/P3KE the decile (their lowest decile is kept anyway).
_KIND_RANK = {"population": 0, "dtsen": 1, "p3ke": 2, "sector": 3}


@dataclass
class Outcome:
    """Candidates in priority order with ``priority`` 1…n, and the people left out counted by reason."""

    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)


def latest_status(bpjs: pl.DataFrame, as_of: dt.date | None = None) -> pl.DataFrame:
    """Per NIK the newest BPJS record as of ``as_of`` (file date, then file id): nik, bpjs_status, kpj."""
    frame = bpjs if as_of is None else bpjs.filter(pl.col("as_of") <= as_of)
    return (
        frame.sort("as_of", "file_id")
        .unique("nik", keep="last")
        .select("nik", pl.col("status").alias("bpjs_status"), "kpj")
    )


def known_status(bpjs: pl.DataFrame, registry: pl.DataFrame, since: dt.date, as_of: dt.date | None) -> pl.DataFrame:
    """Per NIK known to BPJS or the registry: ``status`` ``aktif``/``nonaktif`` (BPJS authoritative; the registry
    for NIKs BPJS has not reported, active when paid through ``since`` or later) and the KPJ from BPJS."""
    reported = latest_status(bpjs, as_of)
    registry_only = registry.join(reported, on="nik", how="anti").select(
        "nik",
        pl.when(pl.col("paid_through") >= since).then(pl.lit(rules.ACTIVE)).otherwise(pl.lit(rules.INACTIVE))
        .alias("bpjs_status"),
        pl.lit(None, dtype=pl.String).alias("kpj"),
    )  # fmt: skip
    return pl.concat([reported, registry_only], how="vertical_relaxed")


def compute(
    lists: pl.DataFrame,
    bpjs: pl.DataFrame,
    registry: pl.DataFrame,
    *,
    as_of: dt.date,
    since: dt.date,
    age: rules.AgeRule = rules.AgeRule(),
    deceased: Sequence[str] = (),
    max_decile: int | None = None,
    groups: Sequence[str] | None = None,
) -> Outcome:
    """The candidates from ``lists`` (:data:`LIST_SCHEMA`) given ``bpjs`` records (:data:`BPJS_SCHEMA`) and
    ``registry`` people (:data:`REGISTRY_SCHEMA`) on ``as_of``; ``since`` is the smallest paid-through that is
    still active on ``as_of`` (:func:`ucj.registry.status.active_since`). ``deceased``: NIKs a worklist closed as
    deceased. ``max_decile`` keeps deciles up to N (unknown deciles stay: population exports carry none);
    ``groups`` keeps people with one of those tags."""
    status = known_status(bpjs, registry, since, as_of)
    active = status.filter(pl.col("bpjs_status") == rules.ACTIVE).select("nik")
    excluded: dict[str, int] = {}

    # 1. Active people leave first, on the raw rows: this is the plain anti-join, and it shrinks everything after.
    open_rows = lists.join(active, on="nik", how="anti")
    excluded["active"] = lists.select("nik").unique().height - open_rows.select("nik").unique().height
    if deceased:
        gone = pl.DataFrame({"nik": list(deceased)}, schema={"nik": pl.String})
        before = open_rows.select("nik").n_unique()
        open_rows = open_rows.join(gone, on="nik", how="anti")
        excluded["deceased"] = before - open_rows.select("nik").n_unique()

    # 2. One row per NIK: values of the best-ranked list, the lowest decile, every source and group.
    people = _dedup(open_rows)

    # 3. Exclusions by occupation and age, each counted with its reason.
    people = people.with_columns(rules.exclusion_expr(pl.col("occupation"), pl.col("birth_date"), as_of, age)
                                 .alias("excluded"))  # fmt: skip
    people = people.with_columns(
        pl.when(pl.col("excluded").is_null() & pl.col("any_excluded").is_not_null())
        .then(pl.col("any_excluded")).otherwise(pl.col("excluded")).alias("excluded")
    )  # fmt: skip
    if max_decile is not None:
        people = people.with_columns(
            pl.when(pl.col("excluded").is_null() & (pl.col("decile") > max_decile).fill_null(False))
            .then(pl.lit("decile_above")).otherwise(pl.col("excluded")).alias("excluded")
        )  # fmt: skip
    if groups:
        wanted = sorted({g.strip().lower() for g in groups if g.strip()})
        has = pl.col("groups").str.split(",").list.set_intersection(pl.lit(wanted)).list.len() > 0
        people = people.with_columns(
            pl.when(pl.col("excluded").is_null() & ~has.fill_null(False)).then(pl.lit("group_other"))
            .otherwise(pl.col("excluded")).alias("excluded")
        )  # fmt: skip
    counts = people.filter(pl.col("excluded").is_not_null())["excluded"].value_counts()
    excluded.update(dict(zip(counts["excluded"].to_list(), counts["count"].to_list(), strict=True)))

    # 4. What is left, with what BPJS/the registry knows (lapsed = reactivation), in priority order.
    chosen = (
        people.filter(pl.col("excluded").is_null())
        .drop("excluded", "any_excluded")
        .join(status, on="nik", how="left")
        .with_columns(rules.reason_expr().alias("reason"))
        .sort(rules.priority_sort_keys())
        .with_row_index("priority", offset=1)
        .with_columns(pl.col("priority").cast(pl.Int64))
    )  # fmt: skip
    return Outcome(frame=chosen, excluded={k: v for k, v in sorted(excluded.items()) if v})


def _dedup(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per NIK. Scalar fields from the best-ranked list (:data:`_KIND_RANK`, then the list row order);
    ``decile`` the lowest any list gives; ``sources`` and ``groups`` the union; ``any_excluded`` an occupation
    exclusion any list gives (a DTSEN row without an occupation does not hide the village's "PNS")."""
    ranked = rows.with_columns(
        pl.col("kind").replace_strict(_KIND_RANK, default=len(_KIND_RANK), return_dtype=pl.Int8).alias("_rank"),
        rules.occupation_exclusion(pl.col("occupation")).alias("_occ_excluded"),
    ).sort("nik", "_rank", maintain_order=True)
    first = ranked.unique("nik", keep="first", maintain_order=True).select(
        "nik", "name", "birth_date", "sex", "desa", "occupation"
    )
    many = ranked.group_by("nik").agg(
        pl.col("decile").min(),
        pl.col("village_role").filter(pl.col("village_role").fill_null("") != "").first(),
        pl.col("source").unique().sort().str.join(", ").alias("sources"),
        pl.col("groups").filter(pl.col("groups").fill_null("") != "").unique().sort().str.join(",").alias("groups"),
        pl.col("_occ_excluded").drop_nulls().first().alias("any_excluded"),
    )  # fmt: skip
    tags = pl.col("groups").str.split(",").list.unique().list.sort().list.join(",")
    return first.join(many, on="nik", how="left").with_columns(
        pl.col("village_role").fill_null(""),
        # Only people in several lists can carry a tag twice ("a,b" + "b"): clean those, not every row.
        pl.when(pl.col("sources").str.contains(",")).then(tags).otherwise(pl.col("groups")).alias("groups"),
    )
