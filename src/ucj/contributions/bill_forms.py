"""Forms of the bill pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ucj.months import parse_month
from ucj.registry.models import Payer


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
    region = forms.ChoiceField(label=_("Wilayah"))
    month = MonthField(label=_("Bulan iuran"))

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("month", f"{timezone.localdate():%Y-%m}")


class BillPaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Tanggal bayar"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Nomor bukti"), max_length=80, required=False)
    amount = forms.IntegerField(label=_("Jumlah (Rp)"), min_value=0)
