"""The scenario form: what the analyst types, turned into a :class:`~ucj.planning.scenario.Spec`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ucj.planning.groups import GROUPS, label
from ucj.planning.scenario import Spec, forbidden
from ucj.web.fields import RupiahField
from ucj.web.regionpicker import RegionField

QUESTIONS = [("max_coverage", _("Pekerja terbanyak dengan anggaran ini")),
             ("min_budget", _("Anggaran minimum untuk mencapai target"))]  # fmt: skip
FLOORS = [("none", _("Tanpa batas bawah")), ("target", _("Tiap kab/kota mencapai targetnya sendiri")),
          ("share", _("Tiap kab/kota minimal … % pekerja eligible-nya"))]  # fmt: skip
MONTHS = [(m, f"{m:02d}") for m in range(1, 13)]
APBDES_SOURCES = [("add", _("ADD (alokasi dana desa)")), ("dana_desa", _("Dana Desa (hanya pekerja PKTD)")),
                  ("pad_desa", _("PAD desa"))]  # fmt: skip


class ScenarioForm(forms.Form):
    region = RegionField(label=_("Wilayah"), max_level=2)  # plans are for a province or a kab/kota
    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2015, max_value=2100)
    question = forms.ChoiceField(label=_("Pertanyaan"), choices=QUESTIONS, widget=forms.RadioSelect)
    budget = RupiahField(label=_("Anggaran (Rp)"), required=False)
    start_month = forms.TypedChoiceField(label=_("Mulai bulan"), choices=MONTHS, coerce=int)
    months = forms.IntegerField(label=_("Jumlah bulan"), min_value=1, max_value=12)
    share_provinsi = forms.DecimalField(label=_("Porsi APBD provinsi (%)"), min_value=0, max_value=100,
                                        decimal_places=2)  # fmt: skip
    share_kabkota = forms.DecimalField(label=_("Porsi APBD kab/kota (%)"), min_value=0, max_value=100,
                                       decimal_places=2)  # fmt: skip
    share_apbdes = forms.DecimalField(label=_("Porsi APBDes (%)"), min_value=0, max_value=100, decimal_places=2,
                                      required=False)  # fmt: skip
    apbdes_source = forms.ChoiceField(label=_("Sumber dana APBDes"), choices=APBDES_SOURCES, required=False)
    lapse_rate = forms.DecimalField(label=_("Laju berhenti per tahun (%, opsional)"), required=False, min_value=0,
                                    max_value=99, decimal_places=2)  # fmt: skip
    limit_provinsi = RupiahField(label=_("Plafon APBD provinsi (Rp, opsional)"), required=False)
    groups = forms.MultipleChoiceField(label=_("Kelompok sasaran"), widget=forms.CheckboxSelectMultiple,
                                       choices=[(k, v[0]) for k, v in GROUPS.items()])  # fmt: skip
    max_decile = forms.IntegerField(label=_("Hanya desil kesejahteraan 1 s.d. (opsional)"), required=False,
                                    min_value=1, max_value=10)  # fmt: skip
    jht = forms.BooleanField(label=_("Juga bayar JHT (selain JKK dan JKM)"), required=False)
    floor = forms.ChoiceField(label=_("Batas bawah per kab/kota"), choices=FLOORS, widget=forms.RadioSelect)
    floor_share = forms.DecimalField(label=_("Minimal (%)"), required=False, min_value=0, max_value=100,
                                     decimal_places=2)  # fmt: skip
    name = forms.CharField(label=_("Nama skenario (untuk disimpan)"), required=False, max_length=120)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        lang = get_language() or "id"  # group names in the page's language (GROUPS holds both)
        self.fields["groups"].choices = [(k, label(k, lang)) for k in GROUPS]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shares = (data.get("share_provinsi") or 0) + (data.get("share_kabkota") or 0) + (data.get("share_apbdes") or 0)
        if shares != 100:
            self.add_error("share_kabkota", _("Porsi provinsi, kab/kota dan APBDes harus berjumlah 100 %."))
        if data.get("question") == "max_coverage" and data.get("budget") is None:
            self.add_error("budget", _("Isi anggaran untuk pertanyaan ini."))
        if not self.errors:  # what the rules forbid (Dana Desa for village officials…), with the reason
            for reason in forbidden(self.spec()):
                self.add_error("apbdes_source", reason)
        return data

    def spec(self) -> Spec:
        """The scenario (call after ``is_valid``)."""
        d = self.cleaned_data
        shares = {"apbd_provinsi": float(d["share_provinsi"]) / 100, "apbd_kabkota": float(d["share_kabkota"]) / 100,
                  "apbdes": float(d.get("share_apbdes") or 0) / 100}  # fmt: skip
        return Spec(
            region=d["region"], year=d["year"], question=d["question"], budget=d["budget"],
            start_month=d["start_month"], months=d["months"], shares={p: s for p, s in shares.items() if s > 0},
            payer_limits={"apbd_provinsi": d["limit_provinsi"]} if d.get("limit_provinsi") is not None else {},
            groups=tuple(d["groups"]), max_decile=d.get("max_decile"),
            programs=("JKK", "JKM", "JHT") if d["jht"] else ("JKK", "JKM"),
            floor=d["floor"], floor_share=float(d.get("floor_share") or 0),
            apbdes_source=d.get("apbdes_source") or "add",
            lapse_rate=float(d["lapse_rate"]) / 100 if d.get("lapse_rate") is not None else None,
        )  # fmt: skip
