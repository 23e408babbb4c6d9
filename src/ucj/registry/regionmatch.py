"""Resolving the village (desa/kelurahan) of each roster row (pure).

A row names its village by a Kemendagri code, or by names (desa + kecamatan + kab/kota) matched
against the region table after folding case, spelling prefixes ("Desa", "Kel.") and punctuation. The
upload itself may fix the village (a file for one desa) or narrow the search (a file for one kab/kota).
Only the distinct combinations are resolved, then joined back, so a million rows cost a few thousand
look-ups.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from ucj.regions.codes import contains, level_of, name_key, normalize_code

#: Columns of the villages frame: code, name, name_key, kec_code, kec_name, kec_key, kab_code, kab_name,
#: kab_key (one row per desa/kelurahan).
VILLAGE_COLUMNS = ("code", "name", "name_key", "kec_code", "kec_name", "kec_key", "kab_code", "kab_name", "kab_key")


@dataclass(frozen=True, slots=True)
class Resolution:
    code: str | None
    error: str | None = None  # REGION_* code
    value: str = ""
    extra: str = ""


class VillageIndex:
    """Look-ups over the villages frame, restricted to an upload scope (a region code) when given."""

    def __init__(self, villages: pl.DataFrame, scope: str | None = None) -> None:
        if scope:
            villages = villages.filter((pl.col("code") == scope) | pl.col("code").str.starts_with(scope + "."))
        self.scope = scope
        self.rows = {r["code"]: r for r in villages.iter_rows(named=True)}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for code, row in self.rows.items():
            self.by_name[row["name_key"]].append(code)

    def describe(self, code: str) -> str:
        r = self.rows[code]
        return f"{r['name']}, Kec. {r['kec_name']}, {r['kab_name']} ({code})"

    def resolve(
        self, code_text: str | None, desa: str | None, kec: str | None, kab: str | None, all_codes: set[str]
    ) -> Resolution:
        if code_text:
            return self._by_code(code_text, all_codes)
        if desa:
            return self._by_name(desa, kec, kab)
        if self.scope and level_of(self.scope) == 4:
            return Resolution(self.scope)
        return Resolution(None, "REGION_MISSING")

    def _by_code(self, text: str, all_codes: set[str]) -> Resolution:
        code = normalize_code(text)
        if code is None or level_of(code) != 4:
            return Resolution(None, "REGION_NOT_VILLAGE", text)
        if code in self.rows:
            return Resolution(code)
        if code in all_codes and self.scope and not contains(self.scope, code):
            return Resolution(None, "REGION_OUTSIDE", code, self.scope)
        return Resolution(None, "REGION_UNKNOWN", code, "-")

    def _by_name(self, desa: str, kec: str | None, kab: str | None) -> Resolution:
        key = name_key(desa)
        candidates = self.by_name.get(key, [])
        if kec:
            candidates = [c for c in candidates if self.rows[c]["kec_key"] == name_key(kec)]
        if kab:
            candidates = [c for c in candidates if self.rows[c]["kab_key"] == name_key(kab)]
        label = ", ".join(p for p in (desa, kec and f"Kec. {kec}", kab) if p)
        if len(candidates) == 1:
            return Resolution(candidates[0])
        if len(candidates) > 1:
            shown = "; ".join(self.describe(c) for c in sorted(candidates)[:5])
            return Resolution(None, "REGION_AMBIGUOUS", label, shown)
        near = self._one_letter_off(key, kec, kab)
        if near is not None:
            return Resolution(near, "REGION_NAME_NEAR", label, self.describe(near))
        return Resolution(None, "REGION_UNKNOWN", label, self._closest(key, kec, kab) or "-")

    def _one_letter_off(self, key: str, kec: str | None, kab: str | None) -> str | None:
        """The one village (in the scope, and the kecamatan/kab/kota the row names) whose name key is one letter
        away from ``key`` ("sukarame" → Sukarami: a typo, not another village), or None when none or several
        are. Accepted with a warning that names the village read, so the uploader can check it. Only within a
        kecamatan (the row's, or an upload scope of a kecamatan or desa): across a province, names one letter
        apart are often different villages, and the row is rejected with the closest candidates instead."""
        if not kec and not (self.scope and level_of(self.scope) >= 3):
            return None
        found = [
            code for code, row in self.rows.items()
            if (not kec or row["kec_key"] == name_key(kec)) and (not kab or row["kab_key"] == name_key(kab))
            and one_edit_apart(key, row["name_key"])
        ]  # fmt: skip
        return found[0] if len(found) == 1 else None

    def _closest(self, key: str, kec: str | None, kab: str | None = None) -> str:
        pool = list(self.rows)
        # Near the kecamatan the row names, else its kab/kota (when such a region exists), else anywhere.
        level, name = ("kec_key", kec) if kec else ("kab_key", kab)
        if name:
            inside = [c for c in pool if self.rows[c][level] == name_key(name)]
            pool = inside or pool
        keys = {self.rows[c]["name_key"]: c for c in pool}
        near = difflib.get_close_matches(key, list(keys), n=3, cutoff=0.75)
        return "; ".join(self.describe(keys[k]) for k in near)


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with exactly one letter changed, added or removed (Levenshtein distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]  # one substitution
    return a[i:] == b[i + 1 :]  # one insertion into the shorter


def resolve_villages(
    combos: pl.DataFrame, villages: pl.DataFrame, scope: str | None, all_codes: set[str]
) -> pl.DataFrame:
    """Resolve each distinct (code_text, desa, kec, kab) row of ``combos``; adds desa_code and region_* columns."""
    index = VillageIndex(villages, scope)
    out = [
        index.resolve(r["code_text"], r["desa"], r["kec"], r["kab"], all_codes) for r in combos.iter_rows(named=True)
    ]
    return combos.with_columns(
        pl.Series("desa_code", [r.code for r in out], dtype=pl.String),
        pl.Series("region_error", [r.error for r in out], dtype=pl.String),
        pl.Series("region_value", [r.value for r in out], dtype=pl.String),
        pl.Series("region_extra", [r.extra for r in out], dtype=pl.String),
    )


def villages_frame(regions: list[tuple[str, str]], keys: dict[str, str] | None = None) -> pl.DataFrame:
    """Build the villages frame from ``(code, name)`` pairs of every level (parents give kec/kab names).
    ``keys``: each code's name key as stored (``Region.name_key``), instead of working 10,000 of them out again
    (0.1–0.2 s of every import)."""
    names = dict(regions)
    known = keys or {}

    def key(code: str) -> str:
        return known[code] if code in known else name_key(names.get(code, ""))

    rows = []
    for code, name in regions:
        if level_of(code) != 4:
            continue
        kec, kab = code.rsplit(".", 1)[0], code[:5]
        rows.append((code, name, key(code), kec, names.get(kec, ""), key(kec), kab, names.get(kab, ""), key(kab)))
    return pl.DataFrame(rows, schema=list(VILLAGE_COLUMNS), orient="row")
