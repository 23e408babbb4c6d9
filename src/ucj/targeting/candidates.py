"""Candidates for enrolment (pure, vectorised Polars; issue 14 §3).

Who is a candidate: a person in any list, deduplicated by NIK across lists, of working age, not excluded by
occupation (ASN, TNI/Polri, …), and **not active**. Active means: the newest BPJS file that reports the NIK (as of
its date) says "aktif"; for a NIK no BPJS file reports, the registry says active (paid through within the lapse
rule, :mod:`ucj.registry.status`). Lapsed people (BPJS "non aktif", or registry paid-through too old) are
candidates: reactivation. Order: village-institution roles, decile 1 → 10 (unknown last), village, NIK
(:data:`ucj.targeting.rules.UNKNOWN_DECILE` states the rule).

How it stays near a plain anti-join on tens of millions of rows (docs/targeting.md, Speed): the NIK is an Int64 key;
one probe per list row drops the active people (BPJS newest per NIK, else the registry); the open NIKs are sorted
once — a person in one list passes as the row is, the rows of people in several lists are reduced on integers
(numpy over their runs: minimum, bitwise-or of sources and tags as bit sets) — and that NIK order is also the
order's tie-break; role, occupation exclusion and village are coded once on the list rows (texts mapped once per
distinct value); exclusions are counted on integers; the order is one packed integer per candidate, sorted once;
the wide text columns are gathered once, from the list row each person's values come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
#: The columns a candidate takes from the list row its values come from (the best-ranked list's).
_PERSON = ("nik", "name", "birth_date", "sex", "desa", "occupation")
#: Exclusion codes as small integers (their order: an occupation exclusion from several lists keeps the first).
_CODES = tuple(rules.EXCLUSIONS)
_CODE = {code: i for i, code in enumerate(_CODES)}
#: Village roles as small integers, in priority order; no role (or an unknown text) last.
_ROLES = (*rules.ROLE_ORDER, "")
#: A few distinct values are mapped by comparisons (cheap), more through a hash table.
_FEW = 12
_BITS = 63  # words per Int64 bit set


@dataclass
class Outcome:
    """Candidates in priority order with ``priority`` 1…n, and the people left out counted by reason."""

    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)


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
    ``groups`` keeps people with one of those tags.

    Per person (one NIK): name, birth date, sex, village and occupation from the best-ranked list
    (:data:`_KIND_RANK`, then the lists' row order); the lowest decile any list gives; the highest-ranked village
    role any list gives (:data:`rules.ROLE_ORDER`; another text counts as none); ``sources`` and ``groups`` the
    union (sorted; a one-list person's as written); an occupation exclusion from any list counts (a DTSEN row
    without an occupation does not hide the village's "PNS")."""
    key = _Key(lists["nik"])
    status = _Status(bpjs, registry, key, since, as_of)
    excluded: dict[str, int] = {}

    # 1. Active people leave: one probe of the integer NIK per list row, as in the plain anti-join.
    active = key.values.is_in(status.active)
    excluded["active"] = key.values.filter(active).n_unique()
    keep = ~active
    if deceased:
        dead = key.values.is_in(key.series(pl.Series(list(deceased), dtype=pl.String)).drop_nulls().implode())
        excluded["deceased"] = key.values.filter(keep & dead).n_unique()
        keep &= ~dead

    # 2. One row per NIK, in NIK order (:func:`_people`).
    jobs = _occupation_codes(lists["occupation"].drop_nulls().unique().to_list())
    wanted = sorted({g.strip().lower() for g in groups if g.strip()}) if groups else None
    people, merged = _people(lists, key.values, keep, jobs, wanted)

    # 3. Exclusions: occupation (any list's), then age (two birth-date bounds), then the filters; each counted.
    why = (
        pl.when(pl.col("_job").is_not_null()).then(pl.col("_job"))
        .when(pl.col("_birth") > rules.born_by(as_of, age.minimum)).then(pl.lit(_CODE["under_age"], dtype=pl.Int8))
        .when(pl.col("_birth") <= rules.born_by(as_of, age.maximum + 1)).then(pl.lit(_CODE["over_age"], dtype=pl.Int8))
    )  # fmt: skip
    if max_decile is not None:
        why = why.when((pl.col("decile") > max_decile).fill_null(False)).then(
            pl.lit(_CODE["decile_above"], dtype=pl.Int8))
    if wanted is not None:
        why = why.when(~pl.col("_has")).then(pl.lit(_CODE["group_other"], dtype=pl.Int8))
    people = people.with_columns(lists["birth_date"].gather(people["_row"]).alias("_birth"))
    reason = people.select(why.otherwise(pl.lit(None, dtype=pl.Int8)).alias("_why"))["_why"]
    counts = reason.drop_nulls().value_counts()
    excluded |= {_CODES[i]: n for i, n in zip(counts["_why"].to_list(), counts["count"].to_list(), strict=True)}

    # 4. The rest in priority order, the wide columns gathered once from the list rows.
    chosen = people.select("_key", "_row", "decile", "_role", "_merged").filter(reason.is_null())
    group = chosen.select(_group().alias("_group"))["_group"]
    villages = _Villages(lists["desa"])
    chosen = chosen.with_columns(group, villages.codes.gather(chosen["_row"]).alias("_desa"))
    chosen = chosen[_priority_order(group, chosen["_desa"], villages)]
    frame = _frame(lists, chosen, merged, status, villages)
    return Outcome(frame=frame, excluded={k: v for k, v in sorted(excluded.items()) if v})


def _people(lists: pl.DataFrame, keys: pl.Series, keep: pl.Series, jobs: Mapping[str, int],
            wanted: list[str] | None) -> tuple[pl.DataFrame, pl.DataFrame]:  # fmt: skip
    """One row per NIK of the ``keep`` list rows, in NIK order: ``_key``, ``_row`` (the list row its person fields
    come from), ``decile``, ``_role``, ``_job`` (exclusion code), ``_merged`` (for people in several rows, their row
    in the second frame: ``sources`` and ``groups`` united, sorted), ``_has`` (a tag in ``wanted``) when asked.

    The open rows' NIKs are sorted once (the order also breaks ties among candidates); a NIK equal to neither
    neighbour is a person in one row, who passes as the row is. Only the rows of the others (a third of the people
    in two lists: a few rows in ten) are grouped, on integers: the best row is the smallest kind rank·2³² + row
    number, the lowest decile, role and exclusion, the bitwise-or of sources and tags; written over their people."""
    open_rows = keep.arg_true()
    ordered = keys.gather(open_rows)
    perm = ordered.arg_sort()
    ordered, row = ordered.gather(perm), open_rows.gather(perm)
    if ordered.is_empty():
        first = last = pl.Series([], dtype=pl.Boolean)
    else:
        differs = ordered.slice(1).ne_missing(ordered.slice(0, len(ordered) - 1))
        first, last = pl.concat([pl.Series([True]), differs]), pl.concat([differs, pl.Series([True])])
    # role and occupation exclusion as small integers on the list rows (sequential passes; a few comparisons), so
    # the people's values are gathered from one-byte columns rather than from the texts
    roles = {r: i for i, r in enumerate(rules.ROLE_ORDER)}
    codes = lists.select("decile", _lookup(pl.col("village_role"), roles, len(_ROLES) - 1, pl.Int8).alias("_role"),
                         _lookup(pl.col("occupation"), jobs, None, pl.Int8).alias("_job"))  # fmt: skip
    at_first = row.filter(first)
    people = codes[at_first].with_columns(ordered.filter(first).alias("_key"), at_first.alias("_row"))
    several = (first & ~last).filter(first).arg_true()
    merged_at = pl.repeat(None, people.height, dtype=pl.UInt32, eager=True)
    texts = pl.DataFrame(schema={"sources": pl.String, "groups": pl.String})
    if len(several):
        rows = row.filter(~(first & last))
        part = pl.concat([lists.select("kind", "source", "groups")[rows], codes[rows]], how="horizontal")
        words = part.select(pl.col(c).drop_nulls().unique().implode() for c in ("source", "groups"))
        sources, tags = _BitSet(words["source"][0].to_list(), split=False), _BitSet(words["groups"][0].to_list(),
                                                                                   split=True)  # fmt: skip
        encoded = part.select(
            (_lookup(pl.col("kind"), _KIND_RANK, len(_KIND_RANK), pl.UInt64) * (1 << 32) + rows.cast(pl.UInt64))
            .alias("_best"), "decile", "_role", "_job", *sources.encode(pl.col("source"), "_src"),
            *tags.encode(pl.col("groups"), "_tag"),
        )  # fmt: skip
        starts = first.filter(~(first & last)).arg_true().to_numpy()
        merged = _reduce_runs(encoded, starts, ["_best", "decile", "_role", "_job"],
                              [*sources.columns("_src"), *tags.columns("_tag")]).with_columns(
            (pl.col("_best") % (1 << 32)).cast(pl.UInt32).alias("_row"))  # fmt: skip
        people = people.with_columns(people[c].scatter(several, merged[c]) for c in ("_row", "decile", "_role", "_job"))
        merged_at = merged_at.scatter(several, pl.int_range(len(several), dtype=pl.UInt32, eager=True))
        texts = merged.select(sources.decode("_src", ", ").alias("sources"), tags.decode("_tag", ",").alias("groups"))
    people = people.with_columns(merged_at.alias("_merged"))
    if wanted is not None:
        own = lists["groups"].gather(people["_row"]).to_frame("g").select(
            _per_distinct(pl.col("g"), lambda t: any(w in wanted for w in t.split(",")), pl.Boolean(), False))[:, 0]
        if len(several):
            own = own.scatter(several, merged.select(tags.has(wanted, "_tag"))[:, 0])
        people = people.with_columns(own.alias("_has"))
    return people, texts


def _reduce_runs(frame: pl.DataFrame, starts: np.ndarray, lowest: list[str], united: list[str]) -> pl.DataFrame:
    """Per run of rows (``starts``: the first row of each, the runs contiguous) the minimum of the ``lowest``
    columns (nulls ignored; a run of nulls gives null) and the bitwise-or of the ``united`` ones: numpy's
    ``reduceat`` over the runs, no hashing (the rows are in NIK order)."""
    out = []
    for name in lowest:
        column = frame[name]
        top = _TOP[str(column.dtype)]
        low = pl.Series(name, np.minimum.reduceat(column.fill_null(top).to_numpy(), starts), dtype=column.dtype)
        out.append(low.set(low == top, None) if column.null_count() else low)
    out += [pl.Series(n, np.bitwise_or.reduceat(frame[n].to_numpy(), starts), dtype=frame[n].dtype) for n in united]
    return pl.DataFrame(out)


#: The largest value of the integer types above: a null's stand-in for a minimum.
_TOP = {"Int8": 127, "Int16": 32_767, "UInt64": 2**64 - 1}

#: Bits for a candidate's place in NIK order in the one-integer sort key (up to 2^40 people).
_PLACE_BITS = 40


def _group() -> pl.Expr:
    """The role and decile part of the order, one small integer: role (:data:`rules.ROLE_ORDER`, none last) · 16 +
    decile (unknown: :data:`rules.UNKNOWN_DECILE`; kept within 0–15)."""
    decile = pl.col("decile").fill_null(rules.UNKNOWN_DECILE).cast(pl.Int64).clip(0, 15)
    return pl.col("_role").cast(pl.Int64) * 16 + decile


class _Villages:
    """The list rows' villages as small integers (an Enum of the distinct codes: one pass over the rows), so the
    order and the answer take a person's village from a four-byte code instead of the text."""

    def __init__(self, desa: pl.Series) -> None:
        self.names = desa.drop_nulls().unique()
        self.codes = desa.cast(pl.Enum(self.names.to_list())).to_physical()
        numbers = [rules.village_number(c) or 0 for c in self.names.to_list()]
        rank = {n: i for i, n in enumerate(sorted({0, *numbers}))}
        #: per code, the place of the village's number among the numbers (not a number, or no village: 0, first)
        self.rank, self.ranks = pl.Series([rank[n] for n in numbers], dtype=pl.Int64), len(rank)

    def text(self, codes: pl.Series) -> pl.Series:
        return self.names.gather(codes)


def _priority_order(group: pl.Series, desa: pl.Series, villages: _Villages) -> pl.Series:
    """The candidates' order (they are in NIK order; ``group``: :func:`_group`, ``desa`` their village codes): role
    holders first (:data:`rules.ROLE_ORDER`), then decile 1 → 10, unknown (:data:`rules.UNKNOWN_DECILE`) last, then
    village (the code's number, :func:`rules.village_number`), then NIK. One integer per person — the order key
    above the place in NIK order — sorted once."""
    order = group * (villages.ranks + 1) + villages.rank.gather(desa).fill_null(0)
    if len(group) < 1 << _PLACE_BITS and (order.max() or 0) < 1 << (63 - _PLACE_BITS):  # type: ignore[operator]
        place = pl.int_range(len(group), dtype=pl.Int64, eager=True)
        return ((order * (1 << _PLACE_BITS) + place).sort() % (1 << _PLACE_BITS)).cast(pl.UInt32)
    return pl.DataFrame({"o": order}).with_row_index("i").sort("o", maintain_order=True)["i"]


def _frame(lists: pl.DataFrame, chosen: pl.DataFrame, merged: pl.DataFrame, status: _Status,
           villages: _Villages) -> pl.DataFrame:  # fmt: skip
    """The candidates' columns: the person fields of their list row, the merged ones (``sources`` and ``groups``
    of people in several rows: ``merged``), BPJS's status and KPJ (for the lapsed), the reason."""
    lapsed = chosen["_key"].is_in(status.lapsed)
    kpj = pl.repeat(None, chosen.height, dtype=pl.String, eager=True)
    at = lapsed.arg_true()
    if len(at):
        kpj = kpj.scatter(at, chosen["_key"].gather(at).to_frame("_key").join(
            status.kpj, on="_key", how="left", maintain_order="left")["kpj"])  # fmt: skip
    wide = lists.select(*(c for c in _PERSON if c != "desa"), "source", "groups")[chosen["_row"]].with_columns(
        villages.text(chosen["_desa"]).alias("desa"))  # fmt: skip
    at = chosen["_merged"].is_not_null().arg_true()
    if len(at):
        united = merged[chosen["_merged"].gather(at)]
        wide = wide.with_columns(wide["source"].scatter(at, united["sources"]),
                                 wide["groups"].scatter(at, united["groups"]))  # fmt: skip
    return wide.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("priority"), *_PERSON, chosen["decile"],
        pl.Series(_ROLES, dtype=pl.String).gather(chosen["_role"]).alias("village_role"),
        pl.col("source").alias("sources"), "groups",
        pl.when(lapsed).then(pl.lit(rules.INACTIVE)).alias("bpjs_status"), kpj.alias("kpj"),
        _reason(lapsed, chosen).alias("reason"),
    )


def _reason(lapsed: pl.Series, chosen: pl.DataFrame) -> pl.Series:
    """Why each candidate is one, in words (:func:`rules.reason_text`): reactivation, else the role, else the
    decile — a function of lapsed and ``_group`` (:func:`_group`), each text made once and gathered."""
    roles = len(rules.ROLE_ORDER)  # lists hold deciles 1–10 (the list check rejects others: NUMBER_INVALID)
    texts = [rules.reason_text(role=_ROLES[g // 16]) if g // 16 < roles else
             rules.reason_text(decile=None if g % 16 == rules.UNKNOWN_DECILE else g % 16)
             for g in range(16 * len(_ROLES))]  # fmt: skip
    texts.append(rules.reason_text(lapsed=True))
    code = pl.when(lapsed).then(pl.lit(len(texts) - 1, dtype=pl.Int64)).otherwise(chosen["_group"])
    return pl.Series(texts, dtype=pl.String).gather(pl.select(code.cast(pl.UInt32)).to_series())


# --- the NIK as a key ----------------------------------------------------------------------------------------


class _Key:
    """The NIK as an Int64 when every list NIK is digits of one length (NIKs are 16 digits), else as text: the
    probes and the sort then work on integers. A NIK of another length (BPJS, registry, worklist) matches no list
    NIK, as with the text."""

    def __init__(self, niks: pl.Series) -> None:
        lengths = niks.str.len_bytes().drop_nulls()
        as_int = niks.cast(pl.Int64, strict=False)
        self.width = lengths.min()
        self.numeric = bool(len(lengths)) and lengths.max() == self.width and \
            as_int.null_count() == niks.null_count() and (as_int.min() or 0) >= 0  # type: ignore[operator]
        self.values = as_int if self.numeric else niks

    def expr(self, nik: pl.Expr) -> pl.Expr:
        if not self.numeric:
            return nik
        return pl.when(nik.str.len_bytes() == self.width).then(nik.cast(pl.Int64, strict=False))

    def series(self, niks: pl.Series) -> pl.Series:
        return niks.to_frame("nik").select(self.expr(pl.col("nik")))["nik"]


# --- status -------------------------------------------------------------------------------------------------


class _Status:
    """What BPJS and the registry say, by integer NIK: ``active`` and ``lapsed`` NIKs (imploded, for probes) and
    ``kpj`` (``_key``, ``kpj``) of the BPJS-reported lapsed people. Per NIK the newest BPJS record as of ``as_of``
    (file date, then file id) is authoritative; for NIKs BPJS has not reported, the registry: active when paid
    through ``since`` or later."""

    def __init__(self, bpjs: pl.DataFrame, registry: pl.DataFrame, key: _Key, since: dt.date, as_of: dt.date) -> None:
        reported = bpjs.filter(pl.col("as_of") <= as_of)
        if reported["file_id"].n_unique() > 1:  # one file (the common case) needs no ordering
            reported = reported.sort("as_of", "file_id", maintain_order=True)
        rkeys = key.series(reported["nik"])
        reported = reported.select("status", "kpj").with_columns(rkeys.alias("_key"))
        if rkeys.null_count() or rkeys.n_unique() < len(rkeys):  # a file holds each NIK once: then nothing to drop
            reported = reported.filter(rkeys.is_last_distinct() & rkeys.is_not_null())
        gkeys = key.series(registry["nik"])
        fresh = gkeys.is_not_null() & ~gkeys.is_in(reported["_key"].implode())
        paid = (registry["paid_through"] >= since).fill_null(False)
        on = reported["status"] == rules.ACTIVE
        self.active = reported["_key"].filter(on).append(gkeys.filter(fresh & paid)).implode()
        self.lapsed = reported["_key"].filter(~on).append(gkeys.filter(fresh & ~paid)).implode()
        self.kpj = reported.filter(~on).select("_key", "kpj")


# --- texts as integers, once per distinct value --------------------------------------------------------------


def _lookup(column: pl.Expr, mapping: Mapping[Any, Any], default: Any, dtype: Any) -> pl.Expr:
    """``column`` mapped through a small ``mapping`` (others: ``default``): a chain of comparisons for a few
    values (no hashing of every row), a hash table for more."""
    if len(mapping) > _FEW:
        return column.replace_strict(dict(mapping), default=default, return_dtype=dtype)
    expr = pl.lit(default, dtype=dtype)
    for value, to in mapping.items():
        expr = pl.when(column == value).then(pl.lit(to, dtype=dtype)).otherwise(expr)
    return expr


def _occupation_codes(occupations: list[str]) -> dict[str, int]:
    """The excluded occupations and their exclusion codes (:func:`rules.occupation_exclusion`, once per distinct
    occupation: a village export has a few dozen, a handful of them excluded)."""
    frame = pl.DataFrame({"o": occupations}, schema={"o": pl.String})
    codes = frame.with_columns(rules.occupation_exclusion(pl.col("o")).alias("c")).drop_nulls("c")
    return {o: _CODE[c] for o, c in zip(codes["o"].to_list(), codes["c"].to_list(), strict=True)}


class _BitSet:
    """Words of comma-separated texts (group tags ``nelayan,petani``) or whole texts (list names) as bit sets:
    each distinct word a bit in one of a few Int64 columns (63 words each, in sorted order), each distinct text its
    set; sets unite by bitwise or and become text again once per distinct set."""

    def __init__(self, texts: list[str], *, split: bool) -> None:
        self.texts = [*texts, ""]
        parts = {t: ({w for w in t.split(",") if w} if split else ({t} if t else set())) for t in self.texts}
        self.words = sorted({w for ws in parts.values() for w in ws})
        self.n = max(1, -(-len(self.words) // _BITS))
        index = {w: i for i, w in enumerate(self.words)}
        self.masks = {t: [sum(1 << (index[w] % _BITS) for w in ws if index[w] // _BITS == k) for k in range(self.n)]
                      for t, ws in parts.items()}  # fmt: skip

    def columns(self, prefix: str) -> list[str]:
        return [f"{prefix}{k}" for k in range(self.n)]

    def encode(self, column: pl.Expr, prefix: str) -> list[pl.Expr]:
        return [_lookup(column.fill_null(""), {t: m[k] for t, m in self.masks.items()}, 0, pl.Int64).alias(name)
                for k, name in enumerate(self.columns(prefix))]  # fmt: skip

    def has(self, wanted: Sequence[str], prefix: str) -> pl.Expr:
        """Whether a set holds one of ``wanted``."""
        index = {w: i for i, w in enumerate(self.words)}
        hit = pl.lit(False)
        for k, name in enumerate(self.columns(prefix)):
            mask = sum(1 << (index[w] % _BITS) for w in wanted if w in index and index[w] // _BITS == k)
            if mask:
                hit = hit | ((pl.col(name) & mask) != 0)
        return hit

    def decode(self, prefix: str, sep: str) -> pl.Expr:
        parts = [_words(pl.col(name), self.words[k * _BITS:(k + 1) * _BITS], sep)
                 for k, name in enumerate(self.columns(prefix))]  # fmt: skip
        if len(parts) == 1:
            return parts[0]
        return pl.concat_str([pl.when(p != "").then(p) for p in parts], separator=sep, ignore_nulls=True)


def _words(masks: pl.Expr, words: list[str], sep: str) -> pl.Expr:
    """A bit set back to its words joined by ``sep`` (once per distinct set)."""
    return _per_distinct(masks, lambda m: sep.join(w for i, w in enumerate(words) if m >> i & 1), pl.String(), "")


def _per_distinct(column: pl.Expr, fn: Callable[[Any], Any], dtype: pl.DataType, default: Any = None) -> pl.Expr:
    """``fn`` of each distinct value of ``column`` mapped back to every row (nulls: ``default``)."""

    def apply(series: pl.Series) -> pl.Series:
        mapping = {v: fn(v) for v in series.drop_nulls().unique().to_list()}
        return series.replace_strict(mapping, default=default, return_dtype=dtype)

    return column.map_batches(apply, return_dtype=dtype)


