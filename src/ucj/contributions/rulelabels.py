"""Human labels for contribution rule ids (``PU.JKK/2@2015-07-01`` → "JKK penerima upah, kelas risiko 2, berlaku
1 Jul 2015"): pages show the label and keep the id in a tooltip (issue 16 item 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: One label per rule family (ucj.contributions.rules.REQUIRED and the RELIEF./DEFERRAL. families).
FAMILIES: dict[str, Any] = {
    "PU.JKK": gettext_lazy("JKK penerima upah"), "PU.JKM": gettext_lazy("JKM penerima upah"),
    "PU.JHT": gettext_lazy("JHT penerima upah"), "PU.JP": gettext_lazy("JP penerima upah"),
    "PU.JP.CEILING": gettext_lazy("Batas upah JP"), "PU.JKP": gettext_lazy("JKP penerima upah"),
    "PU.JKP.CAP": gettext_lazy("Batas upah JKP"), "BPU.BAND": gettext_lazy("Golongan penghasilan BPU"),
    "BPU.JKK": gettext_lazy("JKK bukan penerima upah"), "BPU.JKM": gettext_lazy("JKM bukan penerima upah"),
    "BPU.JHT": gettext_lazy("JHT bukan penerima upah"),
    "JAKON.TIER": gettext_lazy("Tingkat nilai kontrak jasa konstruksi"),
    "JAKON.JKM": gettext_lazy("JKM jasa konstruksi"),
    "PMI.BAND": gettext_lazy("Iuran pekerja migran per lama perjanjian"),
    "PMI.PRE": gettext_lazy("Pekerja migran sebelum bekerja"), "PMI.EXTRA": gettext_lazy("Perpanjangan pekerja migran"),
    "DUE.DATE": gettext_lazy("Jatuh tempo"), "LATE.FINE": gettext_lazy("Denda keterlambatan"),
    "MIN.WAGE": gettext_lazy("Upah minimum"), "RELIEF.PP50-2025": gettext_lazy("Keringanan PP 50/2025"),
    "RELIEF.PP7-2025": gettext_lazy("Keringanan PP 7/2025"), "RELIEF.PP49-2020": gettext_lazy("Keringanan PP 49/2020"),
    "DEFERRAL.PP49-2020": gettext_lazy("Penundaan PP 49/2020"),
}  # fmt: skip
VARIANTS: dict[str, Any] = {
    "other": gettext_lazy("sektor lain"), "transport": gettext_lazy("transportasi"),
    "textile": gettext_lazy("tekstil"), "footwear": gettext_lazy("alas kaki"), "leather": gettext_lazy("kulit"),
    "furniture": gettext_lazy("furnitur"), "food": gettext_lazy("makanan dan minuman"), "toys": gettext_lazy("mainan"),
    "max": gettext_lazy("golongan tertinggi"),
}  # fmt: skip


def rule_label(rule_id: str) -> str:
    """A rule id ``CODE[/VARIANT]@YYYY-MM-DD`` in words in the current language; an unknown family keeps its code."""
    head, _sep, since = rule_id.partition("@")
    code, _sep, variant = head.partition("/")
    name = str(FAMILIES.get(code, code))
    if variant:
        if code == "PU.JKK":
            name += ", " + _("kelas risiko %(n)s") % {"n": variant}
        elif code in ("BPU.BAND", "JAKON.TIER", "JAKON.JKM") and variant.isdigit():
            name += ", " + _("golongan %(n)s") % {"n": variant}
        elif code == "PMI.BAND" and variant.isdigit():
            name += ", " + _("%(n)s bulan") % {"n": variant}
        else:
            name += f", {VARIANTS.get(variant, variant)}"
    try:
        day = dt.date.fromisoformat(since)
    except ValueError:
        return name
    return _("%(rule)s, berlaku %(day)s") % {"rule": name, "day": date_format(day, "j M Y")}


def rule_labels(ids: str | list[str]) -> list[tuple[str, str]]:
    """``(id, label)`` of each rule id (a list, or ids separated by spaces as on an overdue month)."""
    return [(r, rule_label(r)) for r in (ids.split() if isinstance(ids, str) else ids)]
