"""Pure rules for Kemendagri region codes (no Django).

Codes are dotted and hierarchical — ``16``, ``16.71``, ``16.71.01``, ``16.71.01.1001`` — so a region
contains every code that starts with its own code followed by a dot; scoping and roll-up are prefix
matches (Kepmendagri 300.2.2-2138/2025 numbering; shared/design.md "Region").
"""

from __future__ import annotations

import re
import unicodedata

LEVEL_PROVINSI, LEVEL_KABKOTA, LEVEL_KECAMATAN, LEVEL_DESA = 1, 2, 3, 4
_SEGMENT_WIDTHS = (2, 2, 2, 4)
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def normalize_code(value: str) -> str | None:
    """Return the dotted code for ``16.71.01.1001``, ``1671011001`` or ``16 71 01 1001``; None if malformed."""
    text = str(value).strip().strip("'")
    if _DOTTED.match(text):
        return text
    digits = re.sub(r"[\s.\-/]", "", text)
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 10):
        return None
    parts, pos = [], 0
    for width in _SEGMENT_WIDTHS:
        if pos >= len(digits):
            break
        parts.append(digits[pos : pos + width])
        pos += width
    return ".".join(parts)


def level_of(code: str) -> int:
    """1 provinsi, 2 kab/kota, 3 kecamatan, 4 desa/kelurahan."""
    return code.count(".") + 1


def parent_of(code: str) -> str | None:
    """The code one level up, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None


def lineage(code: str) -> list[str]:
    """The code's province, kab/kota, … down to the code itself, top first (``16.06.01`` → ``16``, ``16.06``,
    ``16.06.01``); ``lineage(code)[:-1]`` are its ancestors."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def contains(ancestor: str, code: str) -> bool:
    """True when ``code`` is ``ancestor`` or lies under it."""
    return code == ancestor or code.startswith(ancestor + ".")


_PREFIXES = re.compile(
    r"^(desa|kelurahan|kel\.?|ds\.?|kecamatan|kec\.?|kabupaten|kab\.?|kota|kampung|nagari|gampong)\s+",
    re.IGNORECASE,
)


_UNITS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
          "sembilan": 9}  # fmt: skip
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}  # fmt: skip


def _numbers(tokens: list[str]) -> list[str]:
    """Indonesian number words and Roman numerals to digits: 'tiga puluh lima' → '35', 'ii' → '2'."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t in _ROMAN:
            out.append(str(_ROMAN[t]))
        elif t == "sepuluh":
            out.append("10")
        elif t == "sebelas":
            out.append("11")
        elif t in _UNITS and nxt == "belas":
            out.append(str(10 + _UNITS[t]))
            i += 1
        elif t in _UNITS and nxt == "puluh":
            value, i = _UNITS[t] * 10, i + 1
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if after in _UNITS:
                value, i = value + _UNITS[after], i + 1
            out.append(str(value))
        elif t in _UNITS:
            out.append(str(_UNITS[t]))
        else:
            out.append(t)
        i += 1
    return out


def name_key(name: str) -> str:
    """A matching key for a region name: accents and case folded, 'Desa'/'Kel.'/'Kec.' prefixes dropped,
    number words and Roman numerals as digits, punctuation and spaces removed
    (``"Kel. Tiga-puluh-lima Ilir"`` and ``"35 ILIR"`` → ``"35ilir"``; ``"Ilir Barat II"`` → ``"ilirbarat2"``).
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().strip()
    previous = None
    while previous != text:
        previous, text = text, _PREFIXES.sub("", text).strip()
    tokens = re.findall(r"[a-z]+|[0-9]+", text.lower())
    return "".join(_numbers(tokens))


def common_ancestor(codes: list[str]) -> str | None:
    """The deepest region containing every code (``['16.71.01.1001', '16.71.02.1003']`` → ``'16.71'``)."""
    if not codes:
        return None
    parts = [c.split(".") for c in codes]
    shared: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        shared.append(segment[0])
    return ".".join(shared) or None
