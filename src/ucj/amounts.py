"""Rupiah amounts as Indonesian offices type them (pure: no Django).

One parser for every money field — the calculator, bills and payments, the budget planner, the API and the CLI —
so that ``1.500.000``, ``Rp 1.500.000,-``, ``Rp1.500.000,00``, ``1500000`` and ``1,5 juta`` all mean the same
Rp 1.500.000. Indonesian writes ``.`` between thousands and ``,`` before decimals (PUEBI, number notation); a
word after the number (``ribu``, ``juta``, ``miliar``, ``triliun`` and the office short forms ``rb``, ``jt``,
``M``, ``T``) multiplies it, and only then may the number have a decimal part (``1,5 juta``). An amount of rupiah
is whole: ``Rp 1.500,50`` is refused rather than rounded, because a payment that moves paid-through must be
exact (docs/contributions.md).
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Multiplier words; the key is compared in lower case, except ``M``/``T`` handled in :data:`_SUFFIX`.
SCALES: dict[str, int] = {
    "ribu": 10**3, "rb": 10**3, "k": 10**3,
    "juta": 10**6, "jt": 10**6,
    "miliar": 10**9, "milyar": 10**9, "m": 10**9,
    "triliun": 10**12, "t": 10**12,
}  # fmt: skip

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PREFIX = re.compile(r"^(rp\.?|idr)", re.IGNORECASE)
_TAIL = re.compile(r"(,-|\.-|,00|,0|-)$")  # "Rp 1.500.000,-", "Rp 1.500.000,00"
_SUFFIX = re.compile(r"^(?P<number>[\d.,]+)(?P<scale>[a-zA-Z]+)?$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 1.500.000
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3}){2,}$")  # 1,500,000 (as typed on an English keyboard)
_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^(?P<whole>\d{1,3}(\.\d{3})*|\d+)(?P<sep>[,.])(?P<fraction>\d+)$")


class AmountError(ValueError):
    """Not an amount of rupiah; the message is bilingual (``indonesian / english``)."""


def _number(text: str, scaled: bool) -> Decimal:
    """The number written in ``text`` (digits, ``.`` and ``,`` only); a fraction only when ``scaled``."""
    if _PLAIN.match(text) or _THOUSANDS_DOT.match(text):
        return Decimal(text.replace(".", ""))
    if _THOUSANDS_COMMA.match(text):
        return Decimal(text.replace(",", ""))
    match = _DECIMAL.match(text)
    if match and (scaled or match["sep"] == ","):
        # "1,5 juta"; "1.5 juta" too (an English decimal point before a scale word cannot be thousands).
        return Decimal(f"{match['whole'].replace('.', '')}.{match['fraction']}")
    raise AmountError(f"'{text}' bukan angka rupiah (mis. 1.500.000 atau 1,5 juta) / "
                      f"is not an amount of rupiah (e.g. 1.500.000 or 1,5 juta)")  # fmt: skip


def parse_rupiah(value: object) -> int | None:
    """A whole number of rupiah from what a person typed; ``None`` for blank; :class:`AmountError` otherwise.

    >>> [parse_rupiah(t) for t in ("1.500.000", "Rp 1.500.000,-", "1,5 juta", "20 M", "750rb", "", 42)]
    [1500000, 1500000, 1500000, 20000000000, 750000, None, 42]
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise AmountError(f"'{value}' bukan angka rupiah / is not an amount of rupiah")
    if isinstance(value, int):
        if value < 0:
            raise AmountError(f"{value}: jumlah tidak boleh negatif / the amount must not be negative")
        return value
    original = str(value)
    text = _SPACES.sub("", original)
    text = _PREFIX.sub("", text)
    if not text:
        return None
    if text.startswith("-"):
        raise AmountError(f"'{original.strip()}': jumlah tidak boleh negatif / the amount must not be negative")
    match = _SUFFIX.match(text)
    scale_word = match["scale"] if match else None
    if match is None or (scale_word is not None and scale_word.lower() not in SCALES):
        text = _TAIL.sub("", text)
        match = _SUFFIX.match(text)
        if match is None or match["scale"] is not None:
            raise AmountError(f"'{original.strip()}' bukan angka rupiah (mis. 1.500.000 atau 1,5 juta) / "
                              f"is not an amount of rupiah (e.g. 1.500.000 or 1,5 juta)")  # fmt: skip
        scale_word = None
    number_text = match["number"] if scale_word else _TAIL.sub("", match["number"])
    scale = SCALES[scale_word.lower()] if scale_word else 1
    amount = _number(number_text, scaled=scale_word is not None) * scale
    if amount != amount.to_integral_value():
        raise AmountError(f"'{original.strip()}' bukan rupiah utuh / is not a whole number of rupiah")
    return int(amount)


def format_rupiah(amount: int) -> str:
    """``1500000`` → ``1.500.000`` (Indonesian thousands separators; the pages' ``intcomma`` does the same)."""
    return f"{amount:,}".replace(",", ".")


_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"]
_GROUPS = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")]


def _below_thousand(n: int) -> str:
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}".strip()
    hundreds = "seratus" if n // 100 == 1 else f"{_ONES[n // 100]} ratus"
    return f"{hundreds} {_below_thousand(n % 100)}".strip()


def terbilang(amount: int) -> str:
    """An amount in Indonesian words, as written on a kwitansi: ``1500000`` → ``satu juta lima ratus ribu``.

    ``1000`` is *seribu*, ``100`` *seratus*, ``11`` *sebelas* (PUEBI, number words).
    """
    if amount < 0:
        raise AmountError(f"{amount}: jumlah tidak boleh negatif / the amount must not be negative")
    if amount == 0:
        return "nol"
    words: list[str] = []
    rest = amount
    for size, name in _GROUPS:
        count, rest = divmod(rest, size)
        if count:
            words.append("seribu" if size == 1000 and count == 1 else f"{terbilang(count)} {name}")
    if rest:
        words.append(_below_thousand(rest))
    return " ".join(words)
