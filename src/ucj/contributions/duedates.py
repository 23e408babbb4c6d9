"""Due dates and late fines (pure: no Django).

Each contribution month has a due date and, for PU, a fine per month of lateness; both are effective-dated
rule rows (``DUE.DATE`` and ``LATE.FINE`` in ``data/rules.csv``), looked up for the **contribution month** like
every other rule (the row in force on the month's first day).

Sources (shared/domain.md §6; docs/contributions.md "Jatuh tempo dan denda"):

- PU: the employer pays by the **15th of the following month**; BPU: by the **15th of the contribution month**;
  a deadline on a holiday moves to the next working day. A late PU payment costs **2 % of the contribution that
  should have been paid, for each month of lateness**, borne by the employer ("pemberi kerja selain
  penyelenggara negara") and paid together with the next month's contribution (Kompas.com via Kontan,
  "Siapa yang bayar iuran JKK BPJS Ketenagakerjaan" [S]; the PP 44/2015 article is not confirmed).
- BPU: no fine in those sources; the BPJS FAQ says none (shared/domain.md §1.5): no ``LATE.FINE`` row for BPU.
- PP 49/2020 (contribution months Aug 2020 – Jan 2021): due by the 30th of the following month (the working day
  before when that is a holiday), fine 0.5 % a month (transkepri, e-Kliping Kemnaker, detik [S]).

What UCJ does not know: public holidays (only Saturdays and Sundays move a deadline), whether the fine applies
when a government budget pays a PU participant (the shipped row excludes the government payers: the source names
employers *other than* state organisers), and a cap on the months of fine (none found).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ucj.contributions.rules import DUE_DATE, LATE_FINE, Rule, RuleBook

_SATURDAY = 5


def _add_months(month: dt.date, months: int) -> tuple[int, int]:
    index = month.year * 12 + month.month - 1 + months
    return index // 12, index % 12 + 1


def due_rule(book: RuleBook, segment: str, month: dt.date) -> Rule | None:
    """The ``DUE.DATE`` row for a segment's contribution month, or ``None`` (JAKON/PMI pay per project)."""
    return book.find(DUE_DATE, month.replace(day=1), segment)


def due_date(book: RuleBook, segment: str, month: dt.date) -> dt.date | None:
    """The last day to pay the contribution of ``month`` without a fine.

    The rule gives the day (``amount``) of the month ``lower`` months after the contribution month; a day past
    the month's end is its last day (30 February → 28/29 February); a Saturday or Sunday moves to the Monday after
    (``upper`` = 1: to the Friday before). Example: PU contribution month October 2026 → 15 November 2026 is a
    Sunday → due Monday 16 November 2026; BPU November 2026 → 15 November 2026 → 16 November 2026.
    """
    rule = due_rule(book, segment, month)
    if rule is None:
        return None
    year, mon = _add_months(month, rule.lower or 0)
    day = dt.date(year, mon, min(rule.amount or 1, calendar.monthrange(year, mon)[1]))
    if day.weekday() >= _SATURDAY:
        if rule.upper == 1:
            day -= dt.timedelta(days=day.weekday() - 4)
        else:
            day += dt.timedelta(days=7 - day.weekday())
    return day


def months_late(due: dt.date, paid_on: dt.date) -> int:
    """Months of lateness of a payment on ``paid_on`` (0 on or before ``due``): every month begun after the due
    date counts whole. Due 16 Nov: paid 17 Nov → 1; 16 Dec → 1; 17 Dec → 2 (detik 25 Sep 2020 quoting BPJS:
    "tanggal 15 belum bayar, lalu tanggal 16 bayar itu kena denda 2%")."""
    if paid_on <= due:
        return 0
    months = (paid_on.year - due.year) * 12 + paid_on.month - due.month
    # paid_on is inside the months-th month after due when its day is not past due's day (clamped at month end)
    anniversary = min(due.day, calendar.monthrange(paid_on.year, paid_on.month)[1])
    return months + (1 if paid_on.day > anniversary else 0)


def fine_rule(book: RuleBook, segment: str, payer: str, month: dt.date) -> Rule | None:
    """The ``LATE.FINE`` row for the contribution month, or ``None``: no fine for this segment (BPU) or payer."""
    rule = book.find(LATE_FINE, month.replace(day=1), segment)
    if rule is None or payer in rule.excluded_payers:
        return None
    return rule


def fine(contribution: int, rate_pct: Decimal, months: int) -> int:
    """``contribution × rate % × months``, rounded to whole rupiah half up (no rounding rule found: the same
    convention as the contributions, docs/contributions.md). Rp 3,000,000 × 2 % × 2 months = Rp 120,000."""
    if months <= 0 or contribution <= 0:
        return 0
    exact = Decimal(contribution) * rate_pct * months / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class MonthDue:
    """What is owed for one contribution month of one segment (a bill's or a participant's)."""

    month: dt.date
    segment: str
    amount: int
    participants: int = 1


@dataclass(frozen=True)
class OverdueMonth:
    month: dt.date
    segment: str
    participants: int
    amount: int
    due_date: dt.date
    months_late: int
    rate: Decimal | None  # % a month; None: no fine for this segment or payer
    fine: int
    rule: str  # rule ids and sources behind the due date and the fine
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "month": f"{self.month:%Y-%m}", "segment": self.segment, "participants": self.participants,
            "amount": self.amount, "due_date": self.due_date.isoformat(), "months_late": self.months_late,
            "fine_rate": None if self.rate is None else float(self.rate), "fine": self.fine, "rules": self.rule,
            "sources": list(self.sources),
        }  # fmt: skip


@dataclass(frozen=True)
class Overdue:
    """The months past their due date as of a day, with the contribution and the fine."""

    as_of: dt.date
    months: list[OverdueMonth] = field(default_factory=list)

    @property
    def amount(self) -> int:
        return sum(m.amount for m in self.months)

    @property
    def fine(self) -> int:
        return sum(m.fine for m in self.months)

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "contribution": self.amount, "fine": self.fine,
                "total": self.amount + self.fine, "months": [m.as_dict() for m in self.months]}  # fmt: skip


def overdue(book: RuleBook, dues: Iterable[MonthDue], payer: str, as_of: dt.date) -> Overdue:
    """The months of ``dues`` whose due date is before ``as_of``, each with its fine as of ``as_of``.

    Worked example (PU, employer, contribution month September 2026, Rp 3,000,000; as of 30 November 2026):
    due 15 October 2026 (a Thursday); lateness 16 Oct – 30 Nov begins two months (16 Oct, 16 Nov) → 2 ×
    2 % × 3,000,000 = Rp 120,000. October 2026: due Monday 16 November (the 15th is a Sunday) → 1 month →
    Rp 60,000. A BPU month is overdue the same way but has no fine (no ``LATE.FINE`` row for BPU).
    """
    out = []
    for item in sorted(dues, key=lambda d: (d.month, d.segment)):
        due = due_date(book, item.segment, item.month)
        if due is None or as_of <= due:
            continue
        late = months_late(due, as_of)
        rule = fine_rule(book, item.segment, payer, item.month)
        drule = due_rule(book, item.segment, item.month)
        rules = [r for r in (drule, rule) if r is not None]
        rate = rule.rate_employer if rule is not None else None
        out.append(OverdueMonth(
            item.month, item.segment, item.participants, item.amount, due, late, rate,
            fine(item.amount, rate, late) if rate is not None else 0,
            " ".join(r.id for r in rules), tuple(dict.fromkeys(r.source for r in rules)),
        ))  # fmt: skip
    return Overdue(as_of, out)
