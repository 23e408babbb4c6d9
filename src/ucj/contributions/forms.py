"""Calculator inputs as the CLI, the API and the pages receive them, and the forms of the iuran pages.

:func:`build_inputs` is the one place where text parameters (month ``YYYY-MM``, payer aliases, programme lists,
whole-rupiah numbers) become calculator :class:`~ucj.contributions.calculator.Inputs`; it raises
:class:`~ucj.contributions.calculator.CalcError` with a bilingual message naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ucj.amounts import AmountError, parse_rupiah
from ucj.bilingual import in_language  # noqa: F401 (used by the pages and tests through this module)
from ucj.contributions.calculator import BPU_PROGRAMS, PU_PROGRAMS, CalcError, Inputs
from ucj.contributions.rules import PAYERS, REQUIRED, SECTORS
from ucj.registry.models import Payer, Segment
from ucj.web.fields import RupiahField

#: Short forms accepted for a payer (``apbd`` alone means the kabupaten/kota budget, the usual case).
PAYER_ALIASES = {"apbd": "apbd_kabkota", "apbdesa": "apbdes", "pemberi_kerja": "employer"}
PROGRAMS = tuple(dict.fromkeys((*PU_PROGRAMS, *BPU_PROGRAMS, "JKP")))
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WHOLE = re.compile(r"^(\d+|\d{1,3}(\.\d{3})+)$")  # 5000000 or 5.000.000 (Indonesian thousands)
_REGION = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")  # 16, 16.71, 16.71.01, 16.71.01.1001


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def parse_month(text: str | None) -> dt.date:
    """``YYYY-MM`` → the month's first day; empty → the current month."""
    value = (text or "").strip()
    if not value:
        return this_month()
    match = _MONTH.match(value)
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1900:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    raise CalcError(f"month: '{value}' bukan bulan TTTT-BB (mis. 2024-03) / is not a YYYY-MM month (e.g. 2024-03)")


def parse_whole(value: object, name: str) -> int | None:
    """A whole count (months, employees, a risk class); ``None`` or blank → ``None``. Rupiah: parse_amount."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().replace(" ", "")
    if not text:
        return None
    if not _WHOLE.match(text):
        raise CalcError(f"{name}: '{value}' bukan bilangan bulat ≥ 0 / is not a whole number ≥ 0")
    return int(text.replace(".", ""))


def parse_amount(value: object, name: str) -> int | None:
    """An amount of rupiah as people type it (``1.500.000``, ``Rp 1.500.000,-``, ``1,5 juta``); blank → None."""
    try:
        return parse_rupiah(value)
    except AmountError as err:
        raise CalcError(f"{name}: {err}") from None


def parse_payer(value: str | None) -> str:
    payer = (value or "mandiri").strip().lower()
    payer = PAYER_ALIASES.get(payer, payer)
    if payer not in PAYERS:
        raise CalcError(f"payer: '{value}' tidak dikenal / unknown ({', '.join(PAYERS)}, apbd)")
    return payer


def parse_programs(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """``JKK,JKM,JHT`` (or a list) → the programmes; empty → the segment's usual programmes."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    programs = tuple(dict.fromkeys(p.strip().upper() for p in items if p and p.strip()))
    unknown = [p for p in programs if p not in PROGRAMS]
    if unknown:
        raise CalcError(f"programs: {', '.join(unknown)} tidak dikenal / unknown ({', '.join(PROGRAMS)})")
    return programs


def build_inputs(
    *, segment: str, month: str | dt.date | None = None, wage: object = None, income: object = None,
    risk_class: object = 1, jkp: bool = False, programs: str | list[str] | tuple[str, ...] | None = None,
    payer: str | None = None, sector: str | None = None, contract_value: object = None,
    contract_months: object = None, pre_placement: bool = True, employees: object = None, region: str | None = None,
) -> Inputs:  # fmt: skip
    """Calculator inputs from parameters as typed by people (raises CalcError, bilingual, naming the field).

    ``income`` is the BPU word for the same field as ``wage``; giving both with different values is an error.
    """
    wage_value, income_value = parse_amount(wage, "wage"), parse_amount(income, "income")
    if wage_value is not None and income_value is not None and wage_value != income_value:
        raise CalcError("wage/income: isi salah satu saja (penghasilan BPU = upah) / give one of them "
                        "(the BPU income is the wage field)")  # fmt: skip
    risk = parse_whole(risk_class, "risk_class")
    sector_value = (sector or "other").strip().lower()
    if sector_value not in SECTORS:
        raise CalcError(f"sector: '{sector}' tidak dikenal / unknown ({', '.join(SECTORS)})")
    region_value = (region or "").strip() or None
    if region_value is not None and not _REGION.match(region_value):
        raise CalcError(f"region: '{region}' bukan kode wilayah (mis. 16.71) / is not a region code (e.g. 16.71)")
    return Inputs(
        segment=(segment or "").strip().upper(),
        month=month if isinstance(month, dt.date) else parse_month(month),
        wage=wage_value if wage_value is not None else income_value,
        risk_class=1 if risk is None else risk,
        jkp=bool(jkp),
        programs=parse_programs(programs),
        payer=parse_payer(payer),
        sector=sector_value,
        contract_value=parse_amount(contract_value, "contract_value"),
        contract_months=parse_whole(contract_months, "contract_months"),
        pre_placement=bool(pre_placement),
        employees=parse_whole(employees, "employees"),
        region=region_value,
    )


# ---------------------------------------------------------------- forms of the pages

SECTOR_CHOICES = [
    ("other", _("Sektor lain")), ("transport", _("Transportasi (ojol, kurir, ...)")),
    ("textile", _("Industri tekstil dan pakaian jadi")), ("footwear", _("Industri alas kaki")),
    ("leather", _("Industri kulit dan barang dari kulit")), ("furniture", _("Industri furnitur")),
    ("food", _("Industri makanan dan minuman")), ("toys", _("Industri mainan anak")),
]  # fmt: skip
PROGRAM_CHOICES = [(p, p) for p in PU_PROGRAMS]
RISK_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class MonthInput(forms.TextInput):
    input_type = "month"


class CalcForm(forms.Form):
    """The calculator page (a GET form: nothing personal, so the inputs may sit in the URL)."""

    segment = forms.ChoiceField(label=_("Segmen"), choices=Segment.choices, initial="PU")
    month = forms.CharField(label=_("Bulan iuran"), required=False, widget=MonthInput(attrs={"placeholder": "2024-03"}))
    wage = RupiahField(label=_("Upah / penghasilan per bulan (Rp)"), required=False, min_value=0)
    risk_class = forms.TypedChoiceField(label=_("Kelas risiko JKK"), choices=RISK_CHOICES, coerce=int, initial="1")
    jkp = forms.BooleanField(label=_("Peserta JKP"), required=False)
    programs = forms.MultipleChoiceField(label=_("Program"), required=False, choices=PROGRAM_CHOICES,
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    payer = forms.ChoiceField(label=_("Pembayar iuran"), choices=Payer.choices, initial="mandiri")
    sector = forms.ChoiceField(label=_("Sektor (keringanan PP 50/2025 dan PP 7/2025)"), choices=SECTOR_CHOICES,
                               initial="other")
    employees = forms.IntegerField(label=_("Jumlah pekerja pemberi kerja (PU, PP 7/2025)"), required=False,
                                   min_value=0)
    region = forms.CharField(label=_("Kode kab/kota peserta (cek upah minimum)"), required=False, max_length=13,
                             widget=forms.TextInput(attrs={"placeholder": "16.71"}))
    contract_value = RupiahField(label=_("Nilai kontrak (Rp, JAKON)"), required=False, min_value=0)
    contract_months = forms.IntegerField(label=_("Lama perjanjian kerja (bulan, PMI)"), required=False, min_value=1)
    no_pre_placement = forms.BooleanField(label=_("Tanpa perlindungan sebelum bekerja (PMI)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = f"{this_month():%Y-%m}"

    def clean_month(self) -> dt.date:
        try:
            return parse_month(self.cleaned_data.get("month"))
        except CalcError:
            raise forms.ValidationError(_("Bulan harus berformat TTTT-BB, mis. 2024-03.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        segment = data.get("segment")
        if segment == "PU" and not data.get("wage"):
            self.add_error("wage", _("Upah wajib diisi untuk penerima upah (PU)."))
        if segment == "JAKON" and not data.get("contract_value"):
            self.add_error("contract_value", _("Nilai kontrak wajib diisi untuk jasa konstruksi (JAKON)."))
        if segment == "PMI" and not data.get("contract_months"):
            self.add_error("contract_months", _("Lama perjanjian kerja wajib diisi untuk pekerja migran (PMI)."))
        return data

    def inputs(self) -> Inputs:
        data = self.cleaned_data
        return build_inputs(
            segment=data["segment"], month=data["month"], wage=data.get("wage"), risk_class=data["risk_class"],
            jkp=data.get("jkp", False), programs=data.get("programs") or (), payer=data["payer"],
            sector=data["sector"], contract_value=data.get("contract_value"),
            contract_months=data.get("contract_months"), pre_placement=not data.get("no_pre_placement"),
            employees=data.get("employees"), region=data.get("region"),
        )  # fmt: skip


class RulesFilterForm(forms.Form):
    """The rules table: rules in force in a month (empty: all rows), optionally one family."""

    month = forms.CharField(label=_("Berlaku pada bulan"), required=False, widget=MonthInput())
    code = forms.ChoiceField(label=_("Keluarga aturan"), required=False,
                             choices=[("", _("Semua")), *((c, c) for c in sorted(REQUIRED))])  # fmt: skip

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except CalcError:
            raise forms.ValidationError(_("Bulan harus berformat TTTT-BB, mis. 2024-03.")) from None
