"""Candidates for enrolment (pure, vectorised Polars; issue 14 §3).

Who is a candidate: a person in any list, deduplicated by NIK across lists, of working age, not excluded by
occupation (ASN, TNI/Polri, …), and **not active**. Active means: the newest BPJS file that reports the NIK (as of
its date) says "aktif"; for a NIK no BPJS file reports, the registry says active (paid through within the lapse
rule, :mod:`ucj.registry.status`). Lapsed people (BPJS "non aktif", or registry paid-through too old) are
candidates: reactivation. Order: :func:`ucj.targeting.rules.priority_key`, then the NIK.

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
    if frame["file_id"].n_unique() > 1:  # one file (the common case) needs no ordering
        frame = frame.sort("as_of", "file_id")
    return frame.unique("nik", keep="last").select("nik", pl.col("status").alias("bpjs_status"), "kpj")


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
    excluded: dict[str, int] = {}

    # 1. Active people leave first, on the raw rows (the plain anti-join's work: one hash of the active NIKs, one
    #    probe per row), so everything after works on less; BPJS's status and KPJ join the candidates at the end.
    active = lists["nik"].is_in(status.filter(pl.col("bpjs_status") == rules.ACTIVE)["nik"].implode())
    excluded["active"] = lists["nik"].filter(active).n_unique()
    open_rows = lists.filter(~active)
    if deceased:
        gone = pl.DataFrame({"nik": list(deceased)}, schema={"nik": pl.String})
        before = open_rows.select(pl.col("nik").n_unique()).item()
        open_rows = open_rows.join(gone, on="nik", how="anti")
        excluded["deceased"] = before - open_rows.select(pl.col("nik").n_unique()).item()

    # 2. One row per NIK: values of the best-ranked list, the lowest decile, every source and group.
    people = _dedup(open_rows)

    # 3. Exclusions by occupation (any list's) and age, each counted with its reason.
    people = people.with_columns(
        pl.coalesce("any_excluded", rules.age_exclusion(pl.col("birth_date"), as_of, age)).alias("excluded")
    )
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

    # 4. What is left (lapsed = reactivation), in priority order. The order is found on a narrow frame (row,
    #    NIK as an integer, one integer order key: two stable single-key sorts), then the wide rows are gathered
    #    once, the exclusions' filter folded into that gather.
    order = (
        people.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), rules.priority_key().alias("_k"),
                      pl.col("nik").cast(pl.Int64, strict=False).alias("_n"), pl.col("excluded").is_null().alias("_ok"))
        .filter(pl.col("_ok"))
        .sort("_n")
        .sort("_k", maintain_order=True)
    )["_i"]  # fmt: skip
    # one chunk first: a gather across chunks (the single-list and the merged people) is several times slower
    chosen = people.drop("excluded", "any_excluded").rechunk()[order].with_row_index("priority", offset=1)\
        .with_columns(pl.col("priority").cast(pl.Int64))  # fmt: skip
    known = status.filter(pl.col("bpjs_status") != rules.ACTIVE)  # lapsed: reactivation
    chosen = chosen.join(known, on="nik", how="left", maintain_order="left").with_columns(
        rules.reason_expr().alias("reason"))  # fmt: skip
    return Outcome(frame=chosen, excluded={k: v for k, v in sorted(excluded.items()) if v})


def _dedup(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per NIK. Scalar fields from the best-ranked list (:data:`_KIND_RANK`, then the list row order);
    ``decile`` the lowest any list gives; ``village_role`` the highest-ranked role any list gives; ``sources`` and
    ``groups`` the union; ``any_excluded`` an occupation exclusion any list gives (a DTSEN row without an
    occupation does not hide the village's "PNS").

    Fast on tens of millions of rows: the NIK (16 digits) is an integer key; most people are in one list only and
    pass as they are; for the others, sources and group tags are bit sets (a handful of lists and tags), so the
    grouping aggregates numbers only, and the sets become text once per distinct set."""
    rows = rows.with_columns(
        pl.col("nik").cast(pl.Int64, strict=False).alias("_key"),
        _occupation_exclusion(rows["occupation"]).alias("any_excluded"),
    )
    repeated = rows["_key"].is_duplicated()
    single = rows.filter(~repeated).select(*_PERSON, "decile", pl.col("village_role").fill_null(""),
                                           pl.col("source").alias("sources"), "groups", "any_excluded")  # fmt: skip
    many = rows.filter(repeated)
    if many.is_empty():
        return single
    source_bit, source_sets = _bits(many["source"])
    tag_bit, tag_sets = _bits(many["groups"])
    roles = [*rules.ROLE_ORDER, ""]
    ranked = many.with_columns(
        pl.col("kind").replace_strict(_KIND_RANK, default=len(_KIND_RANK), return_dtype=pl.Int8).alias("_rank"),
        pl.col("source").fill_null("").replace_strict(source_sets, return_dtype=pl.Int64).alias("_sources"),
        pl.col("groups").fill_null("").replace_strict(tag_sets, return_dtype=pl.Int64).alias("_tags"),
        pl.col("village_role").fill_null("").replace_strict({r: i for i, r in enumerate(roles)}, default=len(roles) - 1,
                                                            return_dtype=pl.Int8).alias("_role"),
        pl.col("any_excluded").replace_strict(_EXCLUSION_INDEX, default=None, return_dtype=pl.Int8).alias("_excl"),
    ).sort("_rank", maintain_order=True)  # fmt: skip  (stable: within a rank, the lists' row order)
    # the first row of each NIK in rank order: the best-ranked list's values
    first = ranked.unique("_key", keep="first").select("_key", *_PERSON)
    merged = ranked.group_by("_key").agg(
        pl.col("decile").min(), pl.col("_role").min(), pl.col("_sources").bitwise_or(), pl.col("_tags").bitwise_or(),
        pl.col("_excl").min(),
    )  # fmt: skip
    joined = first.join(merged, on="_key", how="left").select(
        *_PERSON, "decile",
        pl.col("_role").replace_strict(dict(enumerate(roles)), return_dtype=pl.String).alias("village_role"),
        _words(pl.col("_sources"), source_bit, ", ").alias("sources"), _words(pl.col("_tags"), tag_bit, ",")
        .alias("groups"),
        pl.col("_excl").replace_strict(dict(enumerate(_EXCLUSION_CODES)), default=None, return_dtype=pl.String)
        .alias("any_excluded"),
    )  # fmt: skip
    return pl.concat([single, joined])


_PERSON = ("nik", "name", "birth_date", "sex", "desa", "occupation")
_EXCLUSION_CODES = tuple(rules.EXCLUSIONS)
_EXCLUSION_INDEX = {code: i for i, code in enumerate(_EXCLUSION_CODES)}


def _bits(texts: pl.Series) -> tuple[dict[str, int], dict[str, int]]:
    """Bit sets of comma-separated texts (a list name, or group tags ``nelayan,petani``): each distinct word gets a
    bit (at most 63 words: an Int64; more would be an unreadable list anyway) and each distinct text its set."""
    distinct = [t for t in texts.fill_null("").unique().to_list()]
    words = sorted({w for t in distinct for w in t.split(",") if w})[:63]
    bit = {w: 1 << i for i, w in enumerate(words)}
    return bit, {t: sum(bit.get(w, 0) for w in set(t.split(","))) for t in distinct}


def _words(masks: pl.Expr, bit: dict[str, int], sep: str) -> pl.Expr:
    """A bit set back to its words, sorted, joined by ``sep`` (once per distinct set)."""

    def decode(series: pl.Series) -> pl.Series:
        names = {m: sep.join(w for w, b in bit.items() if m & b) for m in series.drop_nulls().unique().to_list()}
        return series.replace_strict(names, default="", return_dtype=pl.String)

    return masks.map_batches(decode, return_dtype=pl.String)


def _occupation_exclusion(occupation: pl.Series) -> pl.Series:
    """:func:`rules.occupation_exclusion` once per distinct occupation (a village export has a few dozen),
    mapped back to every row."""
    distinct = occupation.drop_nulls().unique().to_frame("o")
    codes = distinct.with_columns(rules.occupation_exclusion(pl.col("o")).alias("c")).drop_nulls("c")
    mapping = dict(zip(codes["o"].to_list(), codes["c"].to_list(), strict=True))
    return occupation.replace_strict(mapping, default=None, return_dtype=pl.String)
