"""Forms of the targeting pages: the list and BPJS uploads, the candidate filters and a worklist status change.

They check what a user typed (sizes, dates, choices); what a file holds is checked by the loaders, whose
findings the preview shows row by row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ucj.accounts.scoping import Scope
from ucj.registry.forms import too_large_message
from ucj.registry.uploads import max_upload_bytes
from ucj.web.regionpicker import RegionField, bind_region_field


class _UploadForm(forms.Form):
    """A file within ``UCJ_MAX_UPLOAD_MB``."""

    file = forms.FileField(label=_("Berkas (.xlsx, .xls, .csv)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message())
        return upload


class ListUploadForm(_UploadForm):
    """A person list: DTSEN/P3KE extract, village population export or sector list, under its source name."""

    source = forms.CharField(label=_("Nama sumber (mis. DTSEN 2025, Nelayan Dinas Perikanan)"), max_length=100)
    kind = forms.ChoiceField(label=_("Jenis daftar"), required=False)
    region = forms.ChoiceField(label=_("Wilayah daftar"))

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]], kind_choices: list[tuple[str, Any]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Ditentukan dari nama sumber")), *kind_choices]
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = region_choices

    def clean_source(self) -> str:
        value = " ".join(self.cleaned_data["source"].split())
        if not value:
            raise forms.ValidationError(_("Isi nama sumber daftar."))
        return value


class BpjsUploadForm(_UploadForm):
    """The person-level participant file a BPJS branch sends, authoritative as of its date."""

    as_of = forms.DateField(label=_("Data per tanggal"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_as_of(self) -> dt.date:
        value: dt.date = self.cleaned_data["as_of"]
        if value > dt.date.today():
            raise forms.ValidationError(_("Tanggal data tidak boleh di masa depan."))
        return value


class ConfirmForm(forms.Form):
    """The second step of an upload: the token of the file held since its dry run."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RegionForm(forms.Form):
    """The region of a funnel or a candidate list: the searchable tree down to the villages (issue 16 item 8)."""

    region = RegionField(label=_("Wilayah"), max_level=4)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, RegionField)
        region.choices = regions
        bind_region_field(self, "region", scope)


class CandidateFilterForm(RegionForm):
    """Filters of the candidate list (non-personal: safe in the query string)."""

    max_decile = forms.IntegerField(label=_("Desil paling tinggi (1–10, kosong: semua)"), required=False,
                                    min_value=1, max_value=10)  # fmt: skip
    groups = forms.MultipleChoiceField(label=_("Kelompok"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["groups"]
        assert isinstance(group_field, forms.MultipleChoiceField)
        group_field.choices = groups


class StatusForm(forms.Form):
    """A worklist change typed by an officer: one of the statuses the person may move to, with a reason when
    the status closes the enrolment (declined, not found, moved, deceased)."""

    status = forms.ChoiceField(label=_("Status baru"))
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=300)

    def __init__(self, *args: Any, allowed: list[tuple[str, Any]], needs_reason: frozenset[str],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        # A blank first choice: a stray click on "save" changes nothing (the field is required).
        status.choices = [("", _("— pilih —")), *allowed] if allowed else []
        self.needs_reason = needs_reason

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["reason"] = " ".join((data.get("reason") or "").split())
        if data.get("status") in self.needs_reason and not data["reason"]:
            self.add_error("reason", _("Tulis alasannya untuk status ini."))
        return data
