"""REST endpoints of commitments (issue 13): regulations with their PDF, budget commitments with the computed
realisation, village institutions, ecosystem units, partners, meetings, follow-up actions and the scorecard.

Everything goes through :mod:`ucj.commitments.services`: records outside the caller's regions answer 404, changes
the role may not make 403, bad input 422 with the reason in Indonesian and English; anonymous callers 401.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from ucj.commitments import services
from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    Meeting,
    Partner,
    VillageInstitution,
)
from ucj.commitments.scorecard import is_overdue

router = Router(tags=["komitmen / commitments"])
By = Literal["kabkota", "kecamatan", "desa"]


class Problem(Schema):
    detail: str


ERRORS: dict[int, Any] = {403: Problem, 404: Problem, 413: Problem, 422: Problem}


def _answers(view: Callable[..., Any]) -> Callable[..., Any]:
    """Map the services' refusals to HTTP answers (404 comes from the API's Http404 handler)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except services.CommitmentForbidden as err:
            return Status(403, {"detail": str(err)})
        except services.CommitmentRefused as err:
            return Status(422, {"detail": str(err)})

    return wrapped


def _set(body: Schema, *, partial: bool) -> dict[str, Any]:
    return body.dict(exclude_unset=partial)


# ---------------------------------------------------------------- scorecard


class RoleCount(Schema):
    positions: int
    registered: int
    active: int


class Villages(Schema):
    total: int
    reported: int
    fully_protected: int
    pct: float | None


class BudgetScore(Schema):
    allocated: int
    realised: int
    absorption_pct: float | None
    workers_funded: int
    gap: int | None


class CoverageScore(Schema):
    rate: float | None
    target: float | None
    covered: int | None = None


class InstrumentRef(Schema):
    id: int
    kind: str
    number: str
    status: str
    title: str


class Regulation(Schema):
    in_force: bool
    own_in_force: int
    own_draft: int
    above_in_force: int
    national_in_force: int
    groups: list[str]
    instruments: list[InstrumentRef]


class UnitCounts(Schema):
    total: int
    covered: int
    workers: int
    known: int
    covered_workers: int


class UnitScore(UnitCounts):
    by_kind: dict[str, UnitCounts]


class Reason(Schema):
    score: str
    level: str | None
    id: str
    en: str


class Entry(Schema):
    """One region's scorecard. ``institutions``: per role (kepala_desa, perangkat_desa, bpd, rt, rw, lkd) the
    positions and the registry people of that role registered and active; null where the role does not exist
    (a kelurahan has no kepala desa, perangkat desa nor BPD)."""

    code: str
    name: str
    level: str
    institutions: dict[str, RoleCount | None]
    villages: Villages
    regulation: Regulation
    budget: BudgetScore
    ecosystem_units: UnitScore
    coverage: CoverageScore
    overdue_actions: int
    score: int | None
    scores: dict[str, str | None]
    status: Literal["hijau", "kuning", "merah"]
    status_reasons: list[Reason]


class RuleRow(Schema):
    score: str
    label: str
    label_en: str
    baik: str
    baik_en: str
    sedang: str
    sedang_en: str
    kurang: str
    kurang_en: str


class ScorecardOut(Schema):
    year: int
    as_of: dt.date
    region: Entry
    children: list[Entry]
    rules: list[RuleRow]


@router.get("/commitments/scorecard", response={200: ScorecardOut, **ERRORS}, url_name="commitments_scorecard")
@_answers
def get_scorecard(request: HttpRequest, region: str, year: int | None = None, by: By | None = None) -> Any:
    """The scorecard of a region for a year (default: the year of the coverage dashboard's month), and of its
    children when ``by`` is given (ranked by score): the same JSON as ``ucj scorecard --json``. The rule of each
    score is in ``rules`` (docs/commitments.md)."""
    return services.scorecard(request.user, region, year or services.default_year(), by)


@router.get("/commitments/rules", response=list[RuleRow])
def get_rules(request: HttpRequest) -> Any:
    """The composite status rule: each score's thresholds (Indonesian and English)."""
    return services.scorecard_rules()


class InstitutionsEntry(Schema):
    code: str
    name: str
    institutions: dict[str, RoleCount | None]
    villages: Villages


class InstitutionsOut(Schema):
    region: InstitutionsEntry
    children: list[InstitutionsEntry]


@router.get("/commitments/institutions", response={200: InstitutionsOut, **ERRORS})
@_answers
def get_institutions(request: HttpRequest, region: str, by: By | None = None) -> Any:
    """Village institutions against the registry for a region (and its children): positions, registered and
    active people per role, villages fully protected. Every level is the sum of its villages."""
    return services.institutions_table(request.user, region, by)


# ---------------------------------------------------------------- village institutions (one row per desa)


class InstitutionIn(Schema):
    """Position counts of one village; leave a role out (or null) when unknown. A kelurahan has only RT and RW."""

    kepala_desa: int | None = None
    perangkat_desa: int | None = None
    bpd: int | None = None
    rt: int | None = None
    rw: int | None = None
    lpm: int | None = None
    linmas: int | None = None
    kader: int | None = None
    source: str = ""


class InstitutionOut(InstitutionIn):
    desa: str
    synthetic: bool
    updated_at: dt.datetime


def _institution(row: VillageInstitution) -> dict[str, Any]:
    return {"desa": row.desa_id, **{f: getattr(row, f) for f in InstitutionIn.model_fields},
            "synthetic": row.synthetic, "updated_at": row.updated_at}  # fmt: skip


@router.get("/commitments/institutions/{desa}", response={200: InstitutionOut, **ERRORS})
def get_institution(request: HttpRequest, desa: str) -> Any:
    return _institution(services.get_institution(request.user, desa))


@router.put("/commitments/institutions/{desa}", response={200: InstitutionOut, **ERRORS})
@_answers
def put_institution(request: HttpRequest, desa: str, body: InstitutionIn) -> Any:
    """Set the positions of a village (its operator, the kab/kota or the province; audited)."""
    return _institution(services.set_institution(request.user, desa, _set(body, partial=True), request=request))


@router.delete("/commitments/institutions/{desa}", response={204: None, **ERRORS})
@_answers
def delete_institution(request: HttpRequest, desa: str) -> Any:
    services.delete_institution(request.user, desa, request=request)
    return Status(204, None)


# ---------------------------------------------------------------- instruments and their documents


class InstrumentIn(Schema):
    """A regulation: ``region`` null = a national reference row (administrators). ``kind`` pergub, perbup, perwali,
    perda, perdes, perkades, surat_edaran, instruksi, keputusan; ``status`` rencana, draf, ditetapkan, dicabut;
    ``groups`` codes such as kepala_desa, perangkat_desa, bpd, rt, rw, pekerja_rentan, pedagang_pasar, umkm,
    non_asn, penyelenggara_pemilu; ``payer`` apbd_provinsi, apbd_kabkota, bantuan_keuangan, apbdes or empty."""

    region: str | None = None
    kind: str
    number: str = ""
    date: dt.date | None = None
    title: str
    status: str = "rencana"
    groups: list[str] = []
    payer: str = ""
    note: str = ""


class InstrumentPatch(Schema):
    region: str | None = None
    kind: str | None = None
    number: str | None = None
    date: dt.date | None = None
    title: str | None = None
    status: str | None = None
    groups: list[str] | None = None
    payer: str | None = None
    note: str | None = None


class InstrumentOut(Schema):
    id: int
    region: str | None
    kind: str
    number: str
    date: dt.date | None
    title: str
    status: str
    groups: list[str]
    payer: str
    note: str
    document: str | None  # the download URL when a PDF is attached
    document_name: str
    document_size: int
    synthetic: bool


def _instrument(row: Instrument) -> dict[str, Any]:
    return {"id": row.pk, "region": row.region_id, "kind": row.kind, "number": row.number, "date": row.date,
            "title": row.title, "status": row.status, "groups": row.groups, "payer": row.payer, "note": row.note,
            "document": f"/api/v1/commitments/instruments/{row.pk}/document" if row.document_path else None,
            "document_name": row.document_name, "document_size": row.document_size,
            "synthetic": row.synthetic}  # fmt: skip


@router.get("/commitments/instruments", response=list[InstrumentOut])
def list_instruments(request: HttpRequest, region: str | None = None) -> Any:
    """Instruments the caller sees: of their regions, of the regions above them, national ones; ``region``: those
    that apply there."""
    return [_instrument(r) for r in services.visible_instruments(request.user, region)[:1000]]


@router.post("/commitments/instruments", response={201: InstrumentOut, **ERRORS})
@_answers
def create_instrument(request: HttpRequest, body: InstrumentIn) -> Any:
    return Status(201, _instrument(services.create_instrument(request.user, _set(body, partial=False),
                                                              request=request)))  # fmt: skip


@router.get("/commitments/instruments/{pk}", response={200: InstrumentOut, **ERRORS})
def get_instrument(request: HttpRequest, pk: int) -> Any:
    return _instrument(services.get_instrument(request.user, pk))


@router.patch("/commitments/instruments/{pk}", response={200: InstrumentOut, **ERRORS})
@_answers
def update_instrument(request: HttpRequest, pk: int, body: InstrumentPatch) -> Any:
    return _instrument(services.update_instrument(request.user, pk, _set(body, partial=True), request=request))


@router.delete("/commitments/instruments/{pk}", response={204: None, **ERRORS})
@_answers
def delete_instrument(request: HttpRequest, pk: int) -> Any:
    services.delete_instrument(request.user, pk, request=request)
    return Status(204, None)


@router.post("/commitments/instruments/{pk}/document", response={200: InstrumentOut, **ERRORS})
@_answers
def upload_document(request: HttpRequest, pk: int, file: File[UploadedFile]) -> Any:
    """Attach the instrument's PDF (multipart field ``file``): checked by its first bytes (``%PDF-``), at most
    ``UCJ_MAX_DOCUMENT_MB`` (413 beyond), stored under the data folder readable by the server only."""
    if getattr(request, "upload_too_large", False) or (file.size or 0) > services.max_document_bytes():
        return Status(413, {"detail": f"Dokumen terlalu besar / the document is too large "
                                      f"(UCJ_MAX_DOCUMENT_MB = {services.max_document_bytes() // 2**20})"})  # fmt: skip
    document = services.Document(file.read(services.max_document_bytes() + 1), file.name or "dokumen.pdf")
    return _instrument(services.update_instrument(request.user, pk, {}, document=document, request=request))


@router.get("/commitments/instruments/{pk}/document", response={200: None, 404: Problem})
def download_document(request: HttpRequest, pk: int) -> Any:
    """The instrument's PDF, for everyone who sees the instrument."""
    path, name = services.instrument_document(request.user, pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@router.delete("/commitments/instruments/{pk}/document", response={200: InstrumentOut, **ERRORS})
@_answers
def delete_document(request: HttpRequest, pk: int) -> Any:
    return _instrument(services.remove_document(request.user, pk, request=request))


# ---------------------------------------------------------------- budget commitments


class BudgetIn(Schema):
    """An allocation: ``payer`` apbd_provinsi (region = the province), apbd_kabkota or bantuan_keuangan (a
    kab/kota), apbdes (a desa, with ``source`` add, dana_desa, pad or lainnya). The realisation is never sent:
    it is computed from the bills the payer paid."""

    region: str
    year: int
    payer: str
    source: str = ""
    allocated: int
    workers: int = 0
    scenario: int | None = None
    document_ref: str = ""
    note: str = ""


class BudgetPatch(Schema):
    region: str | None = None
    year: int | None = None
    payer: str | None = None
    source: str | None = None
    allocated: int | None = None
    workers: int | None = None
    scenario: int | None = None
    document_ref: str | None = None
    note: str | None = None


class Pool(Schema):
    bill_payer: str
    lines: int
    allocated: int
    realised: int
    absorption_pct: float | None


class BudgetOut(Schema):
    id: int
    region: str
    year: int
    payer: str
    source: str
    allocated: int
    workers: int
    scenario: int | None
    document_ref: str
    note: str
    synthetic: bool
    realised: int | None = None  # only when the line is alone in its pool
    pool: Pool | None = None


def _budget(row: BudgetCommitment) -> dict[str, Any]:
    return {"id": row.pk, "region": row.region_id, "year": row.year, "payer": row.payer, "source": row.source,
            "allocated": row.allocated, "workers": row.workers, "scenario": row.scenario_id,
            "document_ref": row.document_ref, "note": row.note, "synthetic": row.synthetic}  # fmt: skip


@router.get("/commitments/budgets", response={200: list[BudgetOut], **ERRORS})
@_answers
def list_budgets(request: HttpRequest, region: str, year: int | None = None) -> Any:
    """The budget commitments of a region and below for a year (default: the scorecard's), with the realisation
    computed from paid bills (``pool``: the lines that share one kind of bill — an APBDes's sources, a kab/kota's
    APBD and bantuan keuangan)."""
    return services.budget_rows(request.user, region, year or services.default_year())


@router.post("/commitments/budgets", response={201: BudgetOut, **ERRORS})
@_answers
def create_budget(request: HttpRequest, body: BudgetIn) -> Any:
    return Status(201, _budget(services.create_budget(request.user, _set(body, partial=False), request=request)))


@router.patch("/commitments/budgets/{pk}", response={200: BudgetOut, **ERRORS})
@_answers
def update_budget(request: HttpRequest, pk: int, body: BudgetPatch) -> Any:
    return _budget(services.update_budget(request.user, pk, _set(body, partial=True), request=request))


@router.delete("/commitments/budgets/{pk}", response={204: None, **ERRORS})
@_answers
def delete_budget(request: HttpRequest, pk: int) -> Any:
    services.delete_budget(request.user, pk, request=request)
    return Status(204, None)


# ---------------------------------------------------------------- ecosystem units and partners


class UnitIn(Schema):
    """``kind`` pasar, umkm, koperasi, kelompok_nelayan, kelompok_tani; ``subtype`` tradisional/modern (pasar)."""

    kind: str
    name: str
    subtype: str = ""
    desa: str
    manager: str = ""
    workers: int = 0
    note: str = ""


class UnitPatch(Schema):
    kind: str | None = None
    name: str | None = None
    subtype: str | None = None
    desa: str | None = None
    manager: str | None = None
    workers: int | None = None
    note: str | None = None


class UnitOut(Schema):
    id: int
    kind: str
    name: str
    subtype: str
    desa: str
    workers: int
    known: int = 0  # registry people naming the unit
    covered: int = 0  # of those, active
    covered_pct: float | None = None
    unit_covered: bool = False


def _unit(row: EcosystemUnit) -> dict[str, Any]:
    return {"id": row.pk, "kind": row.kind, "name": row.name, "subtype": row.subtype, "desa": row.desa_id,
            "workers": row.workers}  # fmt: skip


@router.get("/commitments/units", response={200: list[UnitOut], **ERRORS})
@_answers
def list_units(request: HttpRequest, region: str) -> Any:
    """Units of a region with workers known (registry people naming the unit) and covered (active)."""
    return services.unit_rows(request.user, region)


@router.post("/commitments/units", response={201: UnitOut, **ERRORS})
@_answers
def create_unit(request: HttpRequest, body: UnitIn) -> Any:
    return Status(201, _unit(services.create_unit(request.user, _set(body, partial=False), request=request)))


@router.patch("/commitments/units/{pk}", response={200: UnitOut, **ERRORS})
@_answers
def update_unit(request: HttpRequest, pk: int, body: UnitPatch) -> Any:
    return _unit(services.update_unit(request.user, pk, _set(body, partial=True), request=request))


@router.delete("/commitments/units/{pk}", response={204: None, **ERRORS})
@_answers
def delete_unit(request: HttpRequest, pk: int) -> Any:
    services.delete_unit(request.user, pk, request=request)
    return Status(204, None)


class PartnerIn(Schema):
    """``kind`` bank, komunitas, pengelola_pasar, koperasi, asosiasi, lainnya; ``agreement_kind`` pks or mou."""

    region: str
    name: str
    kind: str
    unit: int | None = None
    agreement_kind: str = ""
    agreement_number: str = ""
    agreement_date: dt.date | None = None
    valid_until: dt.date | None = None
    note: str = ""


class PartnerPatch(Schema):
    region: str | None = None
    name: str | None = None
    kind: str | None = None
    unit: int | None = None
    agreement_kind: str | None = None
    agreement_number: str | None = None
    agreement_date: dt.date | None = None
    valid_until: dt.date | None = None
    note: str | None = None


class PartnerOut(PartnerIn):
    id: int
    synthetic: bool


def _partner(row: Partner) -> dict[str, Any]:
    return {"id": row.pk, "region": row.region_id, "name": row.name, "kind": row.kind, "unit": row.unit_id,
            "agreement_kind": row.agreement_kind, "agreement_number": row.agreement_number,
            "agreement_date": row.agreement_date, "valid_until": row.valid_until, "note": row.note,
            "synthetic": row.synthetic}  # fmt: skip


@router.get("/commitments/partners", response=list[PartnerOut])
def list_partners(request: HttpRequest, region: str | None = None) -> Any:
    return [_partner(r) for r in services.visible_partners(request.user, region)[:1000]]


@router.post("/commitments/partners", response={201: PartnerOut, **ERRORS})
@_answers
def create_partner(request: HttpRequest, body: PartnerIn) -> Any:
    return Status(201, _partner(services.create_partner(request.user, _set(body, partial=False), request=request)))


@router.patch("/commitments/partners/{pk}", response={200: PartnerOut, **ERRORS})
@_answers
def update_partner(request: HttpRequest, pk: int, body: PartnerPatch) -> Any:
    return _partner(services.update_partner(request.user, pk, _set(body, partial=True), request=request))


@router.delete("/commitments/partners/{pk}", response={204: None, **ERRORS})
@_answers
def delete_partner(request: HttpRequest, pk: int) -> Any:
    services.delete_partner(request.user, pk, request=request)
    return Status(204, None)


# ---------------------------------------------------------------- meetings and follow-up actions


class MeetingIn(Schema):
    region: str
    date: dt.date
    title: str
    place: str = ""
    organiser: str = ""
    summary: str = ""


class MeetingPatch(Schema):
    region: str | None = None
    date: dt.date | None = None
    title: str | None = None
    place: str | None = None
    organiser: str | None = None
    summary: str | None = None


class MeetingOut(MeetingIn):
    id: int
    synthetic: bool


def _meeting(row: Meeting) -> dict[str, Any]:
    return {"id": row.pk, "region": row.region_id, "date": row.date, "title": row.title, "place": row.place,
            "organiser": row.organiser, "summary": row.summary, "synthetic": row.synthetic}  # fmt: skip


@router.get("/commitments/meetings", response=list[MeetingOut])
def list_meetings(request: HttpRequest, region: str | None = None) -> Any:
    return [_meeting(r) for r in services.visible_meetings(request.user, region)[:1000]]


@router.post("/commitments/meetings", response={201: MeetingOut, **ERRORS})
@_answers
def create_meeting(request: HttpRequest, body: MeetingIn) -> Any:
    return Status(201, _meeting(services.create_meeting(request.user, _set(body, partial=False), request=request)))


@router.patch("/commitments/meetings/{pk}", response={200: MeetingOut, **ERRORS})
@_answers
def update_meeting(request: HttpRequest, pk: int, body: MeetingPatch) -> Any:
    return _meeting(services.update_meeting(request.user, pk, _set(body, partial=True), request=request))


@router.delete("/commitments/meetings/{pk}", response={204: None, **ERRORS})
@_answers
def delete_meeting(request: HttpRequest, pk: int) -> Any:
    services.delete_meeting(request.user, pk, request=request)
    return Status(204, None)


class ActionIn(Schema):
    """A follow-up action: the region that owns it, the decision, a due date; ``status`` rencana, berjalan,
    selesai, batal. Overdue: the due date has passed and it is neither done nor cancelled."""

    meeting: int | None = None
    owner: str
    decision: str
    due_date: dt.date | None = None
    status: str = "rencana"
    done_on: dt.date | None = None
    note: str = ""


class ActionPatch(Schema):
    meeting: int | None = None
    owner: str | None = None
    decision: str | None = None
    due_date: dt.date | None = None
    status: str | None = None
    done_on: dt.date | None = None
    note: str | None = None


class ActionOut(ActionIn):
    id: int
    overdue: bool
    synthetic: bool


class StatusIn(Schema):
    status: Literal["rencana", "berjalan", "selesai", "batal"]
    done_on: dt.date | None = None
    note: str | None = None


def _action(row: FollowUpAction) -> dict[str, Any]:
    return {"id": row.pk, "meeting": row.meeting_id, "owner": row.owner_id, "decision": row.decision,
            "due_date": row.due_date, "status": row.status, "done_on": row.done_on, "note": row.note,
            "overdue": is_overdue(row.due_date, row.status, timezone.localdate()),
            "synthetic": row.synthetic}  # fmt: skip


@router.get("/commitments/actions", response=list[ActionOut])
def list_actions(request: HttpRequest, region: str | None = None, overdue: bool = False) -> Any:
    """Follow-up actions owned by the caller's regions (``overdue=true``: only the overdue ones)."""
    return [_action(r) for r in services.visible_actions(request.user, region, overdue_only=overdue)[:1000]]


@router.post("/commitments/actions", response={201: ActionOut, **ERRORS})
@_answers
def create_action(request: HttpRequest, body: ActionIn) -> Any:
    return Status(201, _action(services.create_action(request.user, _set(body, partial=False), request=request)))


@router.patch("/commitments/actions/{pk}", response={200: ActionOut, **ERRORS})
@_answers
def update_action(request: HttpRequest, pk: int, body: ActionPatch) -> Any:
    return _action(services.update_action(request.user, pk, _set(body, partial=True), request=request))


@router.post("/commitments/actions/{pk}/status", response={200: ActionOut, **ERRORS})
@_answers
def set_action_status(request: HttpRequest, pk: int, body: StatusIn) -> Any:
    """Move an action to a status (``selesai`` records the day it was done, default today)."""
    return _action(services.set_action_status(request.user, pk, body.status, done_on=body.done_on, note=body.note,
                                              request=request))  # fmt: skip


@router.delete("/commitments/actions/{pk}", response={204: None, **ERRORS})
@_answers
def delete_action(request: HttpRequest, pk: int) -> Any:
    services.delete_action(request.user, pk, request=request)
    return Status(204, None)
