"""Forms of the registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ucj.regions.codes import normalize_code
from ucj.regions.models import Region
from ucj.registry.models import Ecosystem, Participant, Segment
from ucj.registry.uploads import max_upload_bytes

STATUS_CHOICES = [("", _("Semua status")), ("aktif", _("Aktif")), ("nonaktif", _("Nonaktif"))]


class FilterForm(forms.Form):
    """Non-personal filters of the participant list (safe in the query string)."""

    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    segment = forms.ChoiceField(label=_("Segmen"), required=False, choices=[("", _("Semua segmen")), *Segment.choices])
    ecosystem = forms.ChoiceField(
        label=_("Ekosistem"), required=False, choices=[("", _("Semua ekosistem")), *Ecosystem.choices]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, regions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Semua wilayah Anda")), *(regions or [])]

    def clean_region(self) -> str:
        value = self.cleaned_data.get("region") or ""
        return normalize_code(value) or "" if value else ""


class SearchForm(forms.Form):
    """Name or NIK search: posted, kept in the session, never put in a URL (personal data)."""

    q = forms.CharField(label=_("Cari nama atau NIK"), required=False, max_length=100)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas daftar (.xlsx, .xls, .csv)"))
    region = forms.ChoiceField(label=_("Wilayah berkas"), required=False)

    def __init__(self, *args: Any, region_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Ditentukan dari kolom desa/kode desa")), *(region_choices or [])]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(too_large_message())
        return upload


def too_large_message() -> str:
    """The upload-size refusal (``UCJ_MAX_UPLOAD_MB``)."""
    return _("Berkas terlalu besar; paling besar %(mb)s MB. Bagi daftar menjadi beberapa berkas.") % {
        "mb": max_upload_bytes() // (1024 * 1024)
    }


class ConfirmRepeatForm(forms.Form):
    """Second step when the same file was already imported: import it anyway only when the box is ticked."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    again = forms.BooleanField(label=_("Impor tetap, walaupun berkas yang sama sudah pernah diimpor"), required=True)


class ParticipantForm(forms.ModelForm):
    desa_code = forms.CharField(label=_("Kode desa/kelurahan"), max_length=13)

    class Meta:
        model = Participant
        fields = [
            "name", "birth_date", "sex", "occupation", "village_role", "ecosystem", "segment", "payer", "jkk",
            "jkm", "jht", "jp", "jkp", "income", "poverty_decile", "kpj", "phone", "address", "coverage_start",
            "employer_sector", "employer_size",
        ]  # fmt: skip  # not paid_through: it moves only through recorded payments (contributions.bills)
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "coverage_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["desa_code"].initial = self.instance.desa_id

    def clean_desa_code(self) -> str:
        code = normalize_code(self.cleaned_data["desa_code"])
        if code is None or code.count(".") != 3 or not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Kode desa/kelurahan tidak dikenal."))
        return code

    def clean_poverty_decile(self) -> int | None:
        value = self.cleaned_data.get("poverty_decile")
        if value is not None and not 1 <= value <= 10:
            raise forms.ValidationError(_("Desil harus 1 sampai 10."))
        return value
