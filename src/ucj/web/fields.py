"""Form fields shared by the pages of several packages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ucj.amounts import AmountError, format_rupiah, parse_rupiah


class RupiahField(forms.CharField):
    """An amount of rupiah as offices type it (``20.000.000.000``, ``Rp 1.500.000,-``, ``1,5 juta``): the one
    parser :func:`ucj.amounts.parse_rupiah`. A text input, not ``type=number``: a browser's number input refuses
    the dots of Indonesian thousands and would clear what was typed."""

    def __init__(self, *args: Any, min_value: int | None = None, **kwargs: Any) -> None:
        self.min_value = min_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            amount = parse_rupiah(super().to_python(value))
        except AmountError:
            raise forms.ValidationError(
                _("Tulis jumlah rupiah dengan angka, mis. 1.500.000, Rp 1.500.000,- atau 1,5 juta.")
            ) from None
        if amount is not None and self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(_("Jumlah paling sedikit Rp %(n)s.") % {"n": format_rupiah(self.min_value)})
        return amount
