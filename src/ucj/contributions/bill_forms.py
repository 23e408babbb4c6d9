"""Forms of the bill pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ucj.months import parse_month
from ucj.registry.models import Payer
from ucj.web.fields import RupiahField
from ucj.web.regionpicker import RegionField


class MonthField(forms.CharField):
    """An ``<input type=month>``: YYYY-MM → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError:
            raise forms.ValidationError(_("Bulan harus berbentuk YYYY-MM.")) from None


class BillForm(forms.Form):
    payer = forms.ChoiceField(label=_("Pembayar"), choices=Payer.choices)
    region = RegionField(label=_("Wilayah"), max_level=4)  # the tree reaches every desa (issue 16 item 8)
    month = MonthField(label=_("Bulan iuran"))

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], payers: list[str] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices  # type: ignore[attr-defined]
        if payers is not None:  # only the payers the user bills (ucj.contributions.bills.payers_for)
            self.fields["payer"].choices = [(v, label) for v, label in Payer.choices if v in payers]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("month", f"{timezone.localdate():%Y-%m}")


class LineIdsField(forms.Field):
    """The bill lines ticked in the lines table (``<input type=checkbox name=lines form=pay>``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if not all(str(v).isdigit() for v in values):
            raise forms.ValidationError(_("Pilihan peserta tidak sah."))
        return [int(v) for v in values]


class BillPaymentForm(forms.Form):
    WHOLE, CHOSEN = "all", "chosen"
    what = forms.ChoiceField(label=_("Yang dibayar"), widget=forms.RadioSelect, initial=WHOLE, required=False, choices=[
        (WHOLE, _("Seluruh sisa tagihan")), (CHOSEN, _("Hanya peserta yang dicentang di rincian"))])  # fmt: skip
    lines = LineIdsField(required=False)
    paid_on = forms.DateField(label=_("Tanggal bayar"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Nomor bukti (SP2D, transfer)"), max_length=80, required=False)
    amount = RupiahField(label=_("Jumlah (Rp)"), min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("what") == self.CHOSEN and not data.get("lines"):
            self.add_error("what", _("Centang peserta yang dibayar di tabel rincian."))
        return data

    def chosen_lines(self) -> list[int] | None:
        """The lines paid (None: every unpaid line); call after ``is_valid``."""
        return self.cleaned_data["lines"] if self.cleaned_data.get("what") == self.CHOSEN else None
