"""The sections other packages provide: the commitments scorecard (issue 13, ``ucj.commitments.services
.scorecard``) and the enrolment funnel (issue 14, ``ucj.targeting.services.funnel``). Their answers are arranged
into tables here — the figures are theirs. A package that is missing (or answers with nothing) leaves its
section out of the report."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ucj.accounts.models import Role
from ucj.accounts.scoping import Scope
from ucj.reports import content


def region_scope(code: str) -> Scope:
    """A scope that reaches exactly the report's region: the report holds that region's aggregates whoever
    issues it (everyone who may read the report sees the region)."""
    return Scope(grants=((Role.PROVINSI, code),))


def child_level(code: str) -> str:
    return "kabkota" if code.count(".") == 0 else "kecamatan"


def as_table(name: str, service: Callable[..., Any], code: str, month: dt.date) -> dict[str, Any] | None:
    """``{"columns", "rows", "total"}`` (see :func:`ucj.reports.content.generic_table`) from the service's answer
    for the region, or None when it has nothing to show."""
    if name == "scorecard":
        return scorecard_table(service(region_scope(code), code, month.year, child_level(code)))
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])  # the funnel as of the month's end
    return funnel_table(service(region_scope(code), code, as_of=end, by=child_level(code)))


def _col(label: str, kind: str = content.TEXT) -> dict[str, str]:
    return {"label": label, "kind": kind}


def _regulation(entry: dict[str, Any]) -> str:
    regulation = entry.get("regulation") or {}
    if regulation.get("in_force"):
        return _("berlaku")
    return _("draf") if regulation.get("own_draft") else "—"


def _scorecard_row(e: dict[str, Any]) -> list[Any]:
    from ucj.commitments.scorecard import STATUS_LABELS

    budget, units, cov = e.get("budget") or {}, e.get("ecosystem_units") or {}, e.get("coverage") or {}
    villages = e.get("villages") or {}
    rt_rw = [e.get("institutions", {}).get(r) or {} for r in ("rt", "rw")]
    positions, active = sum(r.get("positions", 0) for r in rt_rw), sum(r.get("active", 0) for r in rt_rw)
    total = villages.get("total") if isinstance(villages, dict) else None
    full = villages.get("fully_protected") if isinstance(villages, dict) else None
    labels = STATUS_LABELS.get(e.get("status", ""), (e.get("status", ""), e.get("status", "")))
    status = labels[1] if (get_language() or "id").startswith("en") else labels[0]  # its labels carry both
    return [e.get("code"), e.get("name"), status, e.get("score"), _regulation(e),
            budget.get("allocated"), budget.get("absorption_pct"), budget.get("workers_funded"),
            round(100 * (full or 0) / total, 2) if total else None, active if positions else None,
            positions or None, units.get("covered"), units.get("total"), cov.get("rate"), cov.get("target"),
            e.get("overdue_actions")]  # fmt: skip


def scorecard_table(answer: dict[str, Any]) -> dict[str, Any] | None:
    """One row per region (the region first, then its children ranked by score): status, score, regulation,
    budget allocated and realised, workers funded, villages fully protected, RT/RW active of positions, ecosystem
    units covered, coverage against target, overdue follow-up actions."""
    entries = [answer["region"], *answer.get("children", [])] if answer.get("region") else []
    if not entries:
        return None
    columns = [_col(_("Kode")), _col(_("Wilayah")), _col(_("Status")), _col(_("Skor"), content.DEC1),
               _col(_("Regulasi")), _col(_("Anggaran dialokasikan"), content.RP),
               _col(_("Realisasi anggaran (%)"), content.PCT), _col(_("Pekerja didanai"), content.INT),
               _col(_("Desa terlindungi penuh (%)"), content.PCT), _col(_("RT/RW aktif"), content.INT),
               _col(_("Jabatan RT/RW"), content.INT), _col(_("Unit ekosistem tercakup"), content.INT),
               _col(_("Unit ekosistem"), content.INT), _col(_("Cakupan (%)"), content.PCT),
               _col(_("Target (%)"), content.PCT), _col(_("Tindak lanjut terlambat"), content.INT)]  # fmt: skip
    return {"columns": columns, "rows": [_scorecard_row(e) for e in entries]}


def funnel_table(answer: dict[str, Any]) -> dict[str, Any] | None:
    """Per stage (identified → contacted → submitted → registered → active): people there now, people who reached
    it, and the conversion from the stage before; None when nobody is in a worklist."""
    from ucj.targeting.models import Status

    if not answer.get("total"):
        return None
    stages, reached, conversion = answer["stages"], answer["reached"], answer.get("conversion", {})
    rows = []
    for key in stages:
        rate = conversion.get(key)
        rows.append([str(Status(key).label), stages[key], reached.get(key),
                     round(100 * rate, 2) if rate is not None else None])  # fmt: skip
    closed = answer.get("closed") or {}
    if any(closed.values()):  # closed people (declined, not found, moved, deceased): so the rows add up to the total
        rows.append([_("Ditutup") + " (" + ", ".join(str(Status(k).label).lower() for k in closed) + ")",
                     sum(closed.values()), None, None])  # fmt: skip
    overall = conversion.get("overall")
    columns = [_col(_("Tahap")), _col(_("Saat ini"), content.INT), _col(_("Mencapai tahap ini"), content.INT),
               _col(_("Konversi dari tahap sebelumnya (%)"), content.PCT)]  # fmt: skip
    total = [_("Jumlah"), answer["total"], None, round(100 * overall, 2) if overall is not None else None]
    return {"columns": columns, "rows": rows, "total": total, "median_days": answer.get("median_days_to_active")}
