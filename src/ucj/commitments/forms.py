"""The commitment forms: what an officer types, turned into the ``values`` mappings the services take (field names
of the models; regions by code, related rows by id). Labels, choices and lengths come from the model fields
(``fields_for_model``); the rows themselves are saved only by :mod:`ucj.commitments.services`, never here."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ucj.commitments.institutions import DESA_ONLY, is_kelurahan
from ucj.commitments.models import (
    ActionStatus,
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    MandatedGroup,
    Meeting,
    Partner,
    VillageInstitution,
)
from ucj.regions.codes import level_of, normalize_code
from ucj.regions.models import Region
from ucj.web.fields import RupiahField
from ucj.web.regionpicker import RegionField

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class RowForm(forms.Form):
    """A form with the fields ``model_fields`` of ``model`` (labels, choices, limits from the model) after the
    fields declared on the class. :meth:`values` is what the services take."""

    model: ClassVar[type[models.Model]]
    model_fields: ClassVar[tuple[str, ...]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dates: dict[str, type[forms.Widget] | forms.Widget] = {
            f.name: DATE for f in self.model._meta.get_fields() if isinstance(f, models.DateField)
        }
        names = [f for f in self.model_fields if f not in self.fields]  # a declared field replaces the model's
        self.fields.update(forms.fields_for_model(self.model, fields=names, widgets=dates))
        self.order_fields(["region", "owner", "meeting", "desa", *self.model_fields])

    def values(self) -> dict[str, Any]:
        """The cleaned values without the upload (call after ``is_valid``)."""
        return {k: v for k, v in self.cleaned_data.items() if not hasattr(v, "read") and k != "document"}


def _choice(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class RegionForm(RowForm):
    """A row that belongs to a region the user picks among those they may change."""

    region = forms.ChoiceField(label=_("Wilayah"))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["region"], regions)
        self.fields["region"].required = all(code for code, _label in regions)  # "": a national row (admin)


class InstrumentForm(RegionForm):
    """A regulation: kind, number, date, title, status, groups it mandates, payer it names, the PDF. The region is
    picked in the region tree down to a desa (a Perdes or Perkades is the desa's own): bind it to the user's scope
    (:func:`ucj.web.regionpicker.bind_region_field`)."""

    model = Instrument
    model_fields = ("kind", "number", "date", "title", "status", "groups", "payer", "note")
    region = RegionField(label=_("Wilayah"), max_level=4)
    groups = forms.MultipleChoiceField(label=_("Kelompok yang diwajibkan"), required=False,
                                       choices=MandatedGroup.choices, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    document = forms.FileField(label=_("Dokumen (PDF)"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))  # fmt: skip

    def __init__(self, *args: Any, stored: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stored:  # the document kept now: it may be removed (a new upload replaces it anyway)
            self.fields["remove_document"] = forms.BooleanField(
                label=_("Hapus dokumen tersimpan (%(name)s)") % {"name": stored}, required=False)  # fmt: skip

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload and not upload.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Unggah dokumen PDF (.pdf)."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remove_document") and data.get("document"):
            self.add_error("remove_document", _("Pilih salah satu: hapus dokumen atau unggah yang baru."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in super().values().items() if k != "remove_document"}


class BudgetForm(RegionForm):
    """A budget commitment: payer, APBDes source, pagu in rupiah as offices type it, workers, a saved plan."""

    model = BudgetCommitment
    model_fields = ("year", "payer", "source", "allocated", "workers", "scenario", "document_ref", "note")
    allocated = RupiahField(label=_("Pagu (Rp)"), min_value=0)
    scenario = forms.TypedChoiceField(label=_("Skenario anggaran (opsional)"), required=False, coerce=int,
                                      empty_value=None)  # fmt: skip

    def __init__(self, *args: Any, payers: list[tuple[str, str]], scenarios: list[tuple[int, str]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        _choice(self.fields["payer"], payers)
        _choice(self.fields["scenario"], [("", "—"), *scenarios])  # type: ignore[list-item]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("payer") == "apbdes" and not data.get("source"):
            self.add_error("source", _("Pilih sumber dana APBDes (ADD, Dana Desa, PAD)."))
        if data.get("payer") and data.get("payer") != "apbdes" and data.get("source"):
            self.add_error("source", _("Sumber dana hanya untuk baris APBDes."))
        return data


class InstitutionForm(RowForm):
    """The positions of one village; a kelurahan has no kepala desa, perangkat desa nor BPD (shared/domain.md §6)."""

    model = VillageInstitution
    model_fields = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw", "lpm", "linmas", "kader", "source")

    def __init__(self, *args: Any, desa: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_kelurahan(desa):
            for name in DESA_ONLY:
                del self.fields[name]


class DesaCodeField(forms.CharField):
    """A village code as typed (``16.06.01.2001`` or ``1606012001``): dotted, and a known desa/kelurahan."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value) or "")
        if not text:
            return text
        code = normalize_code(text)
        if code is None or level_of(code) != 4 or not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Kode desa/kelurahan tidak dikenal: %(code)s") % {"code": text})
        return code


class UnitForm(RowForm):
    """A market, UMKM group, cooperative, fishermen's or farmers' group in a village."""

    model = EcosystemUnit
    model_fields = ("kind", "name", "subtype", "manager", "workers", "note")
    desa = DesaCodeField(label=_("Kode desa/kelurahan"), max_length=20)


class PartnerForm(RegionForm):
    """A partner and its agreement (PKS/MoU number and date)."""

    model = Partner
    model_fields = ("name", "kind", "unit", "agreement_kind", "agreement_number", "agreement_date", "valid_until",
                    "note")  # fmt: skip
    unit = forms.TypedChoiceField(label=_("Unit ekosistem (opsional)"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["unit"], [("", "—"), *units])  # type: ignore[list-item]


class MeetingForm(RegionForm):
    """A coordination meeting: date, title, place, organiser, summary."""

    model = Meeting
    model_fields = ("date", "title", "place", "organiser", "summary")


class ActionForm(RowForm):
    """A follow-up action: the region that owns it, the decision, the due date, the status."""

    model = FollowUpAction
    model_fields = ("decision", "due_date", "status", "note")
    owner = forms.ChoiceField(label=_("Wilayah penanggung jawab"))
    meeting = forms.TypedChoiceField(label=_("Rapat"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], meetings: list[tuple[int, str]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        _choice(self.fields["owner"], owners)
        _choice(self.fields["meeting"], [("", "—"), *meetings])  # type: ignore[list-item]


class ActionStatusForm(forms.Form):
    """The status change of one follow-up action (from the list)."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=500)


class UploadForm(forms.Form):
    """A file of village institutions (or any commitments workbook) to check first, then load."""

    file = forms.FileField(label=_("Berkas (.xlsx, .xls, .csv)"))
