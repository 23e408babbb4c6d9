"""Forms of the registry pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ucj.amounts import format_rupiah
from ucj.regions.codes import normalize_code
from ucj.regions.models import Region
from ucj.registry.models import Ecosystem, Participant, Segment
from ucj.registry.uploads import max_upload_bytes
from ucj.web.fields import RupiahField
from ucj.web.regionpicker import RegionField, bind_region_field

STATUS_CHOICES = [("", _("Semua status")), ("aktif", _("Aktif")), ("nonaktif", _("Nonaktif"))]


class FilterForm(forms.Form):
    """Non-personal filters of the participant list (safe in the query string)."""

    region = RegionField(label=_("Wilayah"), required=False, max_level=4)  # a searchable tree (issue 16 item 8)
    segment = forms.ChoiceField(label=_("Segmen"), required=False, choices=[("", _("Semua segmen")), *Segment.choices])
    ecosystem = forms.ChoiceField(
        label=_("Ekosistem"), required=False, choices=[("", _("Semua ekosistem")), *Ecosystem.choices]
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, regions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, RegionField)
        field.choices = [("", _("Semua wilayah Anda")), *(regions or [])]
        # A desa picked in the tree, inside the regions offered (the user's own and below; never wider).
        bind_region_field(self, "region", None, within=tuple(code for code, _label in regions or () if code))

    def clean_region(self) -> str:
        value = self.cleaned_data.get("region") or ""
        return normalize_code(value) or "" if value else ""


class SearchForm(forms.Form):
    """Name or NIK search: posted, kept in the session, never put in a URL (personal data)."""

    q = forms.CharField(label=_("Cari nama atau NIK"), required=False, max_length=100)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas daftar (.xlsx, .xls, .csv)"))
    region = forms.ChoiceField(label=_("Wilayah berkas"), required=False)
    #: Ticked on the page: the outcome is shown (a dry run) and nothing is stored until "save". A post without it
    #: (scripts, older clients) is imported at once, as before.
    preview = forms.BooleanField(label=_("Periksa dulu: tampilkan hasilnya sebelum disimpan"), required=False,
                                 initial=True)  # fmt: skip

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

    def __init__(self, *args: Any, repeat: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["again"].required = repeat  # after a preview of a new file, "save" alone confirms


class ParticipantForm(forms.ModelForm):
    desa_code = forms.CharField(label=_("Kode desa/kelurahan"), max_length=13)
    # "Rp 1.500.000,-", "1,5 juta": the one rupiah parser (issue 16 item 6), not a number input that drops dots
    income = RupiahField(label=_("Penghasilan/upah per bulan (Rp)"), required=False, min_value=0)

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
            if self.instance.income is not None:
                self.initial["income"] = format_rupiah(self.instance.income)

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


class AddWorkerForm(forms.Form):
    """One worker typed in the browser. The fields are text as a roster row would hold them: the import's
    validation (ucj.registry.services.add_participant) decides what they mean and says what is wrong."""

    nik = forms.CharField(label=_("NIK (16 angka)"), max_length=20)
    name = forms.CharField(label=_("Nama sesuai KTP"), max_length=200)
    birth_date = forms.DateField(label=_("Tanggal lahir"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    sex = forms.ChoiceField(label=_("Jenis kelamin"), required=False,
                            choices=[("", "—"), ("L", _("Laki-laki")), ("P", _("Perempuan"))])  # fmt: skip
    position = forms.CharField(label=_("Jabatan/pekerjaan"), max_length=120, required=False)
    village_code = forms.CharField(label=_("Kode desa/kelurahan"), max_length=13)
    segment = forms.ChoiceField(label=_("Segmen"), required=False, choices=[("", _("Dari jabatan/aturan desa")),
                                                                         *Segment.choices])  # fmt: skip
    income = forms.CharField(label=_("Penghasilan/upah per bulan (Rp)"), max_length=40, required=False)
    phone = forms.CharField(label=_("No. HP"), max_length=20, required=False)
    address = forms.CharField(label=_("Alamat"), max_length=250, required=False)
    kpj = forms.CharField(label=_("No. KPJ"), max_length=20, required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if villages and len(villages) == 1:  # the operator's one desa: used, not asked
            self.fields["village_code"].initial = villages[0][0]
            self.fields["village_code"].widget = forms.HiddenInput()
        self.fixed_village = villages[0][1] if villages and len(villages) == 1 else ""

    def roster_values(self) -> dict[str, Any]:
        """The cleaned fields under their roster field names (ucj.registry.columns)."""
        return {name: self.cleaned_data.get(name) for name in self.fields}
