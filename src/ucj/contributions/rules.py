"""Contribution rules as effective-dated data (pure: no Django).

Every rate, ceiling, band, tier, fixed amount and relief is one :class:`Rule` row with ``valid_from`` /
``valid_to`` and the regulation it comes from. The shipped rows are ``data/rules.csv`` (facts and sources:
shared/domain.md §1); the database table holds the same rows and an admin may load more from a file.

A rule applies to a contribution month when it is in force on the **first day** of that month: a
regulation that takes effect mid-month (PP 49/2023 on 6 October 2023, PP 6/2025 on 7 February 2025) applies
from the next month's contributions. See docs/contributions.md for this and the other open points.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
PAYERS = ("mandiri", "employer", "apbn", "apbd_provinsi", "apbd_kabkota", "apbdes", "other")
#: Sectors the reliefs name: ``transport`` (PP 50/2025, BPU) and the labour-intensive industries of PP 7/2025
#: (PU: textile and apparel, footwear, leather, furniture, food and beverages, children's toys).
SECTORS = ("other", "transport", "textile", "footwear", "leather", "furniture", "food", "toys")
LABOUR_INTENSIVE = ("textile", "footwear", "leather", "furniture", "food", "toys")

# Columns of a rules file, in order (the shipped CSV, `ucj rules load` and the admin export use them).
COLUMNS = ("code", "variant", "valid_from", "valid_to", "rate_employer", "rate_worker", "rate_government",
           "rate_recomposed", "amount", "lower", "upper", "factor", "segments", "programs", "excluded_payers",
           "source", "note")  # fmt: skip

# What each rule family must carry; anything else must be empty. (family prefix → required fields)
REQUIRED: dict[str, tuple[str, ...]] = {
    "PU.JKK": ("rate_employer",), "PU.JKM": ("rate_employer",),
    "PU.JHT": ("rate_employer", "rate_worker"), "PU.JP": ("rate_employer", "rate_worker"),
    "PU.JP.CEILING": ("amount",), "PU.JKP": ("rate_government", "rate_recomposed"), "PU.JKP.CAP": ("amount",),
    "BPU.BAND": ("amount", "lower"), "BPU.JKK": ("rate_worker",), "BPU.JKM": ("amount",),
    "BPU.JHT": ("rate_worker",), "JAKON.TIER": ("rate_employer", "lower"), "JAKON.JKM": ("rate_employer", "lower"),
    "PMI.PRE": ("amount",),
    "PMI.BAND": ("amount", "lower"), "PMI.EXTRA": ("amount",),
    "RELIEF.PP49-2020": ("factor", "segments", "programs"), "RELIEF.PP50-2025": ("factor", "segments", "programs"),
    "RELIEF.PP7-2025": ("factor", "segments", "programs", "lower"),
    "DEFERRAL.PP49-2020": ("factor", "segments", "programs"), "MIN.WAGE": ("amount",),
    "DUE.DATE": ("amount", "lower"), "LATE.FINE": ("rate_employer",),
}  # fmt: skip
#: Due dates (variant = segment): ``amount`` = the day of the month, ``lower`` = months after the contribution
#: month (PU 1, BPU 0), ``upper`` = 1 when a deadline on a Saturday or Sunday moves to the working day before
#: (PP 49/2020), empty = to the working day after. Late fines (variant = segment): ``rate_employer`` = % of the
#: late contribution per month of lateness, ``excluded_payers`` = payers the fine does not apply to. See
#: :mod:`ucj.contributions.duedates`.
DUE_DATE = "DUE.DATE"
LATE_FINE = "LATE.FINE"
# Reliefs reduce what is owed; a deferral (PP 49/2020 JP) moves part of what is owed to a later schedule. For a
# relief row ``lower`` is the employer's minimum number of workers (PP 7/2025: at least 50), when set.
RELIEF_PREFIX = "RELIEF."
DEFERRAL_PREFIX = "DEFERRAL."
#: Minimum wages (UMP of a province, UMK of a kab/kota): variant = the region code (16, 16.71).
MIN_WAGE = "MIN.WAGE"
_REGION = re.compile(r"^\d{2}(\.\d{2})?$")


class RuleError(ValueError):
    """A rules row or file that cannot be used; the message names the row and the field (id + en)."""


class RuleMissing(LookupError):
    """No rule of a needed family is in force for the month: never guess, say which rule is missing."""

    def __init__(self, code: str, month: dt.date, detail: str = "") -> None:
        self.code, self.month = code, month
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"Tidak ada aturan {code} yang berlaku untuk bulan {month:%Y-%m}{extra} / "
            f"no {code} rule in force for {month:%Y-%m}{extra}"
        )


@dataclass(frozen=True)
class Rule:
    """One effective-dated rule row. Rates are percentages (``Decimal('0.54')`` = 0.54 %)."""

    code: str
    variant: str = ""
    valid_from: dt.date = dt.date(2015, 7, 1)
    valid_to: dt.date | None = None
    rate_employer: Decimal | None = None
    rate_worker: Decimal | None = None
    rate_government: Decimal | None = None
    rate_recomposed: Decimal | None = None
    amount: int | None = None
    lower: int | None = None
    upper: int | None = None
    factor: Decimal | None = None
    segments: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    excluded_payers: tuple[str, ...] = ()
    source: str = ""
    note: str = ""

    @property
    def id(self) -> str:
        """Stable rule id shown next to every amount: ``PU.JKK/2@2015-07-01``."""
        variant = f"/{self.variant}" if self.variant else ""
        return f"{self.code}{variant}@{self.valid_from.isoformat()}"

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# ---------------------------------------------------------------- parsing and checking rows


def _decimal(value: str, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RuleError(f"{column}: '{value}' bukan angka / is not a number") from None
    if number < 0 or number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RuleError(f"{column}: '{value}' harus ≥ 0 dengan paling banyak 2 desimal / "
                        "must be ≥ 0 with at most 2 decimals")  # fmt: skip
    return number


_WHOLE = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")  # 7000000 or 7.000.000 (Indonesian thousands), not 7000000.00


def _int(value: str, column: str) -> int | None:
    if not value:
        return None
    if not _WHOLE.fullmatch(value):
        raise RuleError(f"{column}: '{value}' bukan bilangan bulat rupiah / is not a whole number of rupiah")
    return int(value.replace(".", ""))


def _date(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RuleError(f"{column}: '{value}' bukan tanggal YYYY-MM-DD / is not a YYYY-MM-DD date") from None


def _words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split(",") if w.strip())


def rule_from_row(row: dict[str, str]) -> Rule:
    """Build and check one rule from a text row (keys: :data:`COLUMNS`)."""
    text = {c: (row.get(c) or "").strip() for c in COLUMNS}
    valid_from = _date(text["valid_from"], "valid_from")
    if not text["code"] or valid_from is None:
        raise RuleError("code dan valid_from wajib diisi / code and valid_from are required")
    rule = Rule(
        code=text["code"], variant=text["variant"], valid_from=valid_from,
        valid_to=_date(text["valid_to"], "valid_to"),
        rate_employer=_decimal(text["rate_employer"], "rate_employer"),
        rate_worker=_decimal(text["rate_worker"], "rate_worker"),
        rate_government=_decimal(text["rate_government"], "rate_government"),
        rate_recomposed=_decimal(text["rate_recomposed"], "rate_recomposed"),
        amount=_int(text["amount"], "amount"), lower=_int(text["lower"], "lower"),
        upper=_int(text["upper"], "upper"), factor=_decimal(text["factor"], "factor"),
        segments=_words(text["segments"]), programs=_words(text["programs"]),
        excluded_payers=_words(text["excluded_payers"]), source=text["source"], note=text["note"],
    )  # fmt: skip
    check_rule(rule)
    return rule


def check_rule(rule: Rule) -> None:
    """Refuse a rule that the calculator could not use or would misread."""
    required = REQUIRED.get(rule.code)
    if required is None:
        raise RuleError(f"code: '{rule.code}' bukan keluarga aturan yang dikenal / is not a known rule family "
                        f"({', '.join(sorted(REQUIRED))})")  # fmt: skip
    missing = [name for name in required if getattr(rule, name) in (None, ())]
    if missing:
        raise RuleError(f"{rule.id}: {', '.join(missing)} wajib diisi / required")
    if not rule.source:
        raise RuleError(f"{rule.id}: source (dasar hukum) wajib diisi / the legal source is required")
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise RuleError(f"{rule.id}: valid_to sebelum valid_from / valid_to is before valid_from")
    if rule.lower is not None and rule.upper is not None and rule.upper < rule.lower:
        raise RuleError(f"{rule.id}: upper < lower")
    if rule.factor is not None and rule.factor > 1:
        raise RuleError(f"{rule.id}: factor harus antara 0 dan 1 / factor must be between 0 and 1")
    unknown = set(rule.excluded_payers) - set(PAYERS)
    if unknown:
        raise RuleError(f"{rule.id}: excluded_payers tidak dikenal / unknown: {', '.join(sorted(unknown))}")
    if rule.code == "PU.JKK" and rule.variant not in {"1", "2", "3", "4", "5"}:
        raise RuleError(f"{rule.id}: variant harus kelas risiko 1-5 / variant must be risk class 1-5")
    if rule.code == MIN_WAGE and not _REGION.fullmatch(rule.variant):
        raise RuleError(f"{rule.id}: variant harus kode provinsi atau kab/kota (16, 16.71) / variant must be a "
                        "province or kab/kota code (16, 16.71)")  # fmt: skip
    if rule.code in (DUE_DATE, LATE_FINE) and rule.variant not in SEGMENTS:
        raise RuleError(f"{rule.id}: variant harus segmen / variant must be a segment ({', '.join(SEGMENTS)})")
    if rule.code == DUE_DATE and not (1 <= (rule.amount or 0) <= 31 and (rule.lower or 0) <= 12
                                      and rule.upper in (None, 1)):
        raise RuleError(f"{rule.id}: amount = tanggal 1-31, lower = bulan setelah bulan iuran (0-12), upper = 1 / "
                        "amount = day 1-31, lower = months after the contribution month (0-12), upper = 1")
    if rule.code.startswith(RELIEF_PREFIX) and rule.variant and rule.variant not in SECTORS:
        raise RuleError(f"{rule.id}: variant harus sektor / variant must be a sector ({', '.join(SECTORS)})")


def read_rules(text: str) -> list[Rule]:
    """Parse a rules CSV (header = :data:`COLUMNS`); errors name the line."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in ("code", "valid_from", "source") if c not in header]
    if missing:
        raise RuleError(f"kolom wajib tidak ada / required columns missing: {', '.join(missing)}")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise RuleError(f"kolom tidak dikenal / unknown columns: {', '.join(unknown)}")
    rules = []
    for line, row in enumerate(reader, start=2):
        try:
            rules.append(rule_from_row(row))
        except RuleError as exc:
            raise RuleError(f"baris {line} / line {line}: {exc}") from None
    check_overlaps(rules)
    return rules


def check_overlaps(rules: Iterable[Rule]) -> None:
    """Two rows of the same family and variant may not be in force on the same day."""
    by_key: dict[tuple[str, str], list[Rule]] = {}
    for rule in rules:
        by_key.setdefault((rule.code, rule.variant), []).append(rule)
    for group in by_key.values():
        group.sort(key=lambda r: r.valid_from)
        for before, after in itertools.pairwise(group):
            if before.valid_to is None or before.valid_to >= after.valid_from:
                raise RuleError(f"{before.id} dan {after.id} berlaku bersamaan / overlap in time")


SHIPPED_FILES = ("data/rules.csv", "data/minimum_wages.csv")


def shipped_rules() -> list[Rule]:
    """The rules that ship with UCJ: ``data/rules.csv`` (sources in shared/domain.md §1, §6) and the minimum
    wages of ``data/minimum_wages.csv`` (Sumsel UMP/UMK as far as sourced)."""
    rules: list[Rule] = []
    for name in SHIPPED_FILES:
        rules += read_rules(resources.files("ucj.contributions").joinpath(name).read_text(encoding="utf-8"))
    check_overlaps(rules)
    return rules


def rule_to_row(rule: Rule) -> dict[str, str]:
    """The text row of a rule (inverse of :func:`rule_from_row`)."""
    out: dict[str, str] = {}
    for f in fields(rule):
        value = getattr(rule, f.name)
        if isinstance(value, tuple):
            out[f.name] = ",".join(value)
        elif value is None:
            out[f.name] = ""
        else:
            out[f.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return out


def shipped_upserts(codes: set[str]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(key, values) of the shipped rules of families ``codes``, as a data migration writes them with
    ``update_or_create(**key, defaults=values)``: key (code, variant, valid_from), NULL for blank numbers and
    '' for blank texts."""
    for rule in shipped_rules():
        if rule.code not in codes:
            continue
        row = {k: (v or None) for k, v in rule_to_row(rule).items()}
        key = {"code": rule.code, "variant": rule.variant, "valid_from": rule.valid_from}
        values = {k: v for k, v in row.items() if k not in key}
        values.update({k: values[k] or "" for k in ("segments", "programs", "excluded_payers", "source", "note")})
        yield key, values


# ---------------------------------------------------------------- looking rules up


@dataclass
class RuleBook:
    """The rules, indexed by family, answering "which rule is in force for this month"."""

    rules: Sequence[Rule]
    #: Whether the PP 50/2025 relief applies to APBDes-paid contributions (open: is Dana Desa APBN money?);
    #: the shell sets it from ``settings.UCJ_APBDES_RELIEF``. Either way the amount carries a warning.
    apbdes_relief: bool = True
    _by_code: dict[str, list[Rule]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {}
        for rule in self.rules:
            self._by_code.setdefault(rule.code, []).append(rule)

    def all_in_force(self, code: str, month: dt.date) -> list[Rule]:
        """Every variant of a family in force for ``month`` (the month's first day)."""
        day = month.replace(day=1)
        return [r for r in self._by_code.get(code, ()) if r.in_force(day)]

    def find(self, code: str, month: dt.date, variant: str = "") -> Rule | None:
        return next((r for r in self.all_in_force(code, month) if r.variant == variant), None)

    def get(self, code: str, month: dt.date, variant: str = "") -> Rule:
        """The rule in force, or :class:`RuleMissing` naming the family (and variant)."""
        rule = self.find(code, month, variant)
        if rule is None:
            raise RuleMissing(code, month, f"variant {variant}" if variant else "")
        return rule

    def reliefs(self, month: dt.date) -> list[Rule]:
        day = month.replace(day=1)
        return [r for code, rs in self._by_code.items() if code.startswith(RELIEF_PREFIX)
                for r in rs if r.in_force(day)]  # fmt: skip

    def deferrals(self, month: dt.date) -> list[Rule]:
        day = month.replace(day=1)
        return [r for code, rs in self._by_code.items() if code.startswith(DEFERRAL_PREFIX)
                for r in rs if r.in_force(day)]  # fmt: skip

    def minimum_wage(self, region: str | None, month: dt.date) -> Rule | None:
        """The minimum wage in force for a region (any code inside it): the kab/kota's UMK, else the
        province's UMP; ``None`` when no row is loaded (then nothing can be said)."""
        if not region:
            return None
        parts = region.split(".")
        for code in (".".join(parts[:2]), parts[0]):
            rule = self.find(MIN_WAGE, month, code)
            if rule is not None:
                return rule
        return None
