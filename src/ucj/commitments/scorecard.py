"""The scorecard's rule (pure: no Django). Documented in docs/commitments.md and shown on the page as data
(:func:`rules`).

Each region gets seven scores, each ``baik`` (2 points), ``sedang`` (1) or ``kurang`` (0), or ``None`` when the
data to judge it do not exist (left out of the composite):

==============  ==========================================================================================
regulation      an instrument of the region itself in force → baik; its own in draft/plan, or only an
                instrument of a region above it in force → sedang; nothing → kurang
budget          realisation against the share of the year elapsed: ≥ 75 % of it → baik, ≥ 40 % → sedang;
                less, or no allocation → kurang
villages        villages fully protected (every position has an active participant): ≥ 80 % → baik, ≥ 30 %
                → sedang, less → kurang
rt_rw           active RT and RW heads per RT/RW position: ≥ 80 % → baik, ≥ 40 % → sedang, less → kurang;
                no RT/RW positions reported → no data
units           ecosystem units covered (≥ 80 % of their workers active): ≥ 50 % → baik, ≥ 20 % → sedang;
                no units → no data
coverage        coverage rate at or above the year's target → baik, within 5 points below → sedang; further
                below → kurang; no rate or no target → no data
actions         overdue follow-up actions: none → baik, 1–2 → sedang, more → kurang
==============  ==========================================================================================

Composite **score** = points ÷ (2 × scores with data) × 100. **Status**: ``hijau`` (on track) when the score is
≥ 70 and neither regulation nor budget is ``kurang`` (the two levers the December 2024 meeting asked the regions
to commit: shared/context); ``merah`` when the score is < 40; else ``kuning``.

Every threshold is a field of :class:`Thresholds` (settings: ``UCJ_SCORECARD``), not a constant in the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

import polars as pl

LEVELS = ("baik", "sedang", "kurang")
POINTS = {"baik": 2, "sedang": 1, "kurang": 0}
SCORES = ("regulation", "budget", "villages", "rt_rw", "units", "coverage", "actions")
STATUSES = ("hijau", "kuning", "merah")
STATUS_LABELS = {"hijau": ("Sesuai jalur", "On track"), "kuning": ("Perlu perhatian", "Needs attention"),
                 "merah": ("Tertinggal", "Behind")}  # fmt: skip
SCORE_LABELS = {
    "regulation": ("Kebijakan dan regulasi", "Policy and regulation"),
    "budget": ("Penganggaran", "Budgeting"),
    "villages": ("Desa terlindungi penuh", "Villages fully protected"),
    "rt_rw": ("Cakupan RT/RW", "RT/RW coverage"),
    "units": ("Unit ekosistem tercakup", "Ecosystem units covered"),
    "coverage": ("Cakupan terhadap target", "Coverage against target"),
    "actions": ("Tindak lanjut terlambat", "Overdue follow-up actions"),
}
DONE_STATUSES = frozenset({"selesai", "batal"})


@dataclass(frozen=True)
class Thresholds:
    """Every threshold of the rule (percent unless said otherwise)."""

    absorption_good: float = 75.0  # realisation as % of the pro-rata allocation
    absorption_fair: float = 40.0
    villages_good: float = 80.0
    villages_fair: float = 30.0
    rt_rw_good: float = 80.0
    rt_rw_fair: float = 40.0
    unit_covered_share: float = 80.0  # a unit is covered when this % of its workers are active
    units_good: float = 50.0
    units_fair: float = 20.0
    coverage_margin: float = 5.0  # percentage points below the target still "sedang"
    actions_fair: int = 2  # overdue actions still "sedang"
    status_green: float = 70.0
    status_red: float = 40.0

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Thresholds:
        """Defaults overridden by ``values`` (unknown keys are refused: a typo must not pass silently)."""
        if not values:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"UCJ_SCORECARD: kunci tidak dikenal / unknown keys: {', '.join(unknown)}")
        return replace(cls(), **values)


@dataclass(frozen=True)
class Inputs:
    """What the rule needs of one region (computed by the services)."""

    own_in_force: bool = False
    own_draft: bool = False
    above_in_force: bool = False
    allocated: int = 0
    realised: int = 0
    elapsed_share: float = 1.0  # share of the budget year elapsed (1 for a past year)
    villages: int = 0
    fully_protected: int = 0
    rt_rw_positions: int = 0
    rt_rw_active: int = 0
    units: int = 0
    units_covered: int = 0
    rate: float | None = None
    target: float | None = None
    overdue_actions: int = 0


def is_overdue(due_date: dt.date | None, status: str, as_of: dt.date) -> bool:
    """A follow-up action is overdue when its due date has passed and it is neither done nor cancelled."""
    return due_date is not None and due_date < as_of and status not in DONE_STATUSES


def elapsed_share(year: int, as_of: dt.date) -> float:
    """Share of budget year ``year`` elapsed on ``as_of`` in whole months (the month of ``as_of`` counts):
    1 for a past year, 0 for a future one. APBD/APBDes years are calendar years."""
    if year < as_of.year:
        return 1.0
    if year > as_of.year:
        return 0.0
    return as_of.month / 12


def unit_covered(workers: int, known: int, covered: int, t: Thresholds) -> bool:
    """A unit is covered when at least ``unit_covered_share`` % of its workers (the count declared for the unit,
    else the workers the registry knows) are active participants."""
    base = workers or known
    return base > 0 and covered * 100 >= t.unit_covered_share * base


def unit_covered_expr(t: Thresholds) -> pl.Expr:
    """:func:`unit_covered` over columns ``workers``, ``known`` and ``covered`` (one expression for every unit)."""
    base = pl.when(pl.col("workers") > 0).then(pl.col("workers")).otherwise(pl.col("known"))
    return (base > 0) & (pl.col("covered") * 100 >= t.unit_covered_share * base)


def _grade(value: float | None, good: float, fair: float) -> str | None:
    if value is None:
        return None
    return "baik" if value >= good else "sedang" if value >= fair else "kurang"


def grade(inputs: Inputs, t: Thresholds) -> dict[str, tuple[str | None, str, str]]:
    """Each score: (level or None, reason in Indonesian, reason in English)."""
    out: dict[str, tuple[str | None, str, str]] = {}
    if inputs.own_in_force:
        out["regulation"] = ("baik", "Regulasi daerah berlaku", "A regional instrument is in force")
    elif inputs.own_draft:
        out["regulation"] = ("sedang", "Regulasi masih rencana/draf", "The instrument is still planned or a draft")
    elif inputs.above_in_force:
        out["regulation"] = ("sedang", "Hanya regulasi wilayah di atasnya yang berlaku",
                             "Only an instrument of a region above is in force")  # fmt: skip
    else:
        out["regulation"] = ("kurang", "Belum ada regulasi", "No instrument")
    if inputs.allocated <= 0:
        out["budget"] = ("kurang", "Belum ada alokasi anggaran", "No budget allocated")
    else:
        expected = inputs.allocated * inputs.elapsed_share
        ratio = 100.0 if expected <= 0 else 100.0 * inputs.realised / expected
        level = _grade(ratio, t.absorption_good, t.absorption_fair)
        out["budget"] = (level, f"Realisasi {ratio:.0f}% dari yang diharapkan sampai saat ini",
                         f"Realisation {ratio:.0f}% of what was expected by now")  # fmt: skip
    villages = 100.0 * inputs.fully_protected / inputs.villages if inputs.villages else None
    out["villages"] = (_grade(villages, t.villages_good, t.villages_fair),
                       f"{inputs.fully_protected} dari {inputs.villages} desa terlindungi penuh",
                       f"{inputs.fully_protected} of {inputs.villages} villages fully protected")  # fmt: skip
    rt_rw = min(100.0, 100.0 * inputs.rt_rw_active / inputs.rt_rw_positions) if inputs.rt_rw_positions else None
    out["rt_rw"] = (_grade(rt_rw, t.rt_rw_good, t.rt_rw_fair),
                    f"{inputs.rt_rw_active} ketua RT/RW aktif dari {inputs.rt_rw_positions} jabatan",
                    f"{inputs.rt_rw_active} active RT/RW heads of {inputs.rt_rw_positions} positions")  # fmt: skip
    units = 100.0 * inputs.units_covered / inputs.units if inputs.units else None
    out["units"] = (_grade(units, t.units_good, t.units_fair),
                    f"{inputs.units_covered} dari {inputs.units} unit ekosistem tercakup",
                    f"{inputs.units_covered} of {inputs.units} ecosystem units covered")  # fmt: skip
    if inputs.rate is None or inputs.target is None:
        out["coverage"] = (None, "Tidak ada angka cakupan atau target", "No coverage rate or target")
    else:
        level = _grade(inputs.rate - inputs.target, 0.0, -t.coverage_margin)
        out["coverage"] = (level, f"Cakupan {inputs.rate:.1f}% terhadap target {inputs.target:.1f}%",
                           f"Coverage {inputs.rate:.1f}% against a target of {inputs.target:.1f}%")  # fmt: skip
    n = inputs.overdue_actions
    level = "baik" if n == 0 else "sedang" if n <= t.actions_fair else "kurang"
    out["actions"] = (level, f"{n} tindak lanjut terlambat", f"{n} overdue follow-up actions")
    return out


def composite(graded: dict[str, tuple[str | None, str, str]], t: Thresholds) -> dict[str, Any]:
    """``score`` (0–100 or None), ``status``, ``scores`` (level per score) and ``status_reasons`` (every score
    that is not ``baik``, with its reason)."""
    levels = {name: g[0] for name, g in graded.items()}
    judged = [lv for lv in levels.values() if lv is not None]
    score = round(100 * sum(POINTS[lv] for lv in judged) / (2 * len(judged))) if judged else None
    levers_weak = "kurang" in (levels.get("regulation"), levels.get("budget"))
    if score is None:
        status = "kuning"
    elif score >= t.status_green and not levers_weak:
        status = "hijau"
    elif score < t.status_red:
        status = "merah"
    else:
        status = "kuning"
    reasons = [{"score": name, "level": level, "id": graded[name][1], "en": graded[name][2]}
               for name in SCORES if (level := levels.get(name)) != "baik"]  # fmt: skip
    return {"score": score, "status": status, "scores": levels, "status_reasons": reasons}


def evaluate(inputs: Inputs, t: Thresholds | None = None) -> dict[str, Any]:
    """:func:`grade` then :func:`composite`."""
    t = t or Thresholds()
    return composite(grade(inputs, t), t)


def rules(t: Thresholds | None = None) -> list[dict[str, Any]]:
    """The rule as data for the page and the API: each score with its thresholds, in Indonesian and English."""
    t = t or Thresholds()
    rows = [
        ("regulation", "Regulasi wilayah sendiri berlaku", "Own instrument in force",
         "Rencana/draf, atau hanya regulasi wilayah di atasnya", "Planned/draft, or only a higher region's",
         "Tidak ada", "None"),
        ("budget", f"Realisasi ≥ {t.absorption_good:g}% dari pagu × bagian tahun berjalan",
         f"Realisation ≥ {t.absorption_good:g}% of allocation × share of year elapsed",
         f"≥ {t.absorption_fair:g}%", f"≥ {t.absorption_fair:g}%", "Kurang, atau tanpa pagu", "Less, or no allocation"),
        ("villages", f"≥ {t.villages_good:g}% desa terlindungi penuh", f"≥ {t.villages_good:g}% fully protected",
         f"≥ {t.villages_fair:g}%", f"≥ {t.villages_fair:g}%", "Kurang", "Less"),
        ("rt_rw", f"≥ {t.rt_rw_good:g}% jabatan RT/RW aktif", f"≥ {t.rt_rw_good:g}% of RT/RW positions active",
         f"≥ {t.rt_rw_fair:g}%", f"≥ {t.rt_rw_fair:g}%", "Kurang", "Less"),
        ("units", f"≥ {t.units_good:g}% unit tercakup (≥ {t.unit_covered_share:g}% pekerjanya aktif)",
         f"≥ {t.units_good:g}% of units covered (≥ {t.unit_covered_share:g}% of workers active)",
         f"≥ {t.units_fair:g}%", f"≥ {t.units_fair:g}%", "Kurang", "Less"),
        ("coverage", "Cakupan ≥ target tahun ini", "Coverage ≥ this year's target",
         f"Paling banyak {t.coverage_margin:g} poin di bawah target", f"At most {t.coverage_margin:g} points below",
         "Lebih jauh di bawah target", "Further below"),
        ("actions", "Tidak ada yang terlambat", "None overdue", f"1–{t.actions_fair}", f"1–{t.actions_fair}",
         f"Lebih dari {t.actions_fair}", f"More than {t.actions_fair}"),
    ]  # fmt: skip
    out = [{"score": name, "label": SCORE_LABELS[name][0], "label_en": SCORE_LABELS[name][1],
            "baik": good, "baik_en": good_en, "sedang": fair, "sedang_en": fair_en,
            "kurang": poor, "kurang_en": poor_en}
           for name, good, good_en, fair, fair_en, poor, poor_en in rows]  # fmt: skip
    out.append({"score": "status", "label": "Status gabungan", "label_en": "Composite status",
                "baik": f"hijau: skor ≥ {t.status_green:g} dan regulasi serta anggaran tidak 'kurang'",
                "baik_en": f"green: score ≥ {t.status_green:g} and neither regulation nor budget 'kurang'",
                "sedang": "kuning: selain itu", "sedang_en": "yellow: otherwise",
                "kurang": f"merah: skor < {t.status_red:g}",
                "kurang_en": f"red: score < {t.status_red:g}"})  # fmt: skip
    return out
