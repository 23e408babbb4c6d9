"""The candidates of a region from the database (issue 14 §3): the lists, BPJS records and registry people read as
frames, :func:`ucj.targeting.candidates.compute` (the pure computation), names, worklist statuses and masking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ucj.accounts.scoping import Scope
from ucj.bulk import read_frame
from ucj.bulk import stream_frame as _query_frame
from ucj.regions.models import in_region
from ucj.registry.models import Participant
from ucj.registry.status import active_since
from ucj.targeting import candidates as core
from ucj.targeting import rules
from ucj.targeting.common import _by_nik, _masked, _names, _reachable, _region_or_404, _scope
from ucj.targeting.exports import frame_xlsx
from ucj.targeting.models import (
    BpjsFile,
    BpjsRecord,
    Enrolment,
    ListPerson,
    ListSource,
    Status,
)


@dataclass
class CandidateResult:
    """Candidates in priority order (``frame``: nik, name, desa, desa_name, decile, sources, groups, reason,
    priority, village_role, bpjs_status, kpj, status…; NIK and name already shown as the caller may see them) and
    the people left out, counted by reason (``excluded``: {"asn": 3, "under_age": 5, "active": 12, …})."""

    region: str
    as_of: dt.date
    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.frame.height

    def as_json(self, limit: int | None = None) -> dict[str, Any]:
        """``count``, ``candidates`` (the first ``limit``, all when None) and ``excluded`` with reasons."""
        shown = self.frame if limit is None else self.frame.head(limit)
        return {
            "region": self.region, "as_of": self.as_of.isoformat(), "count": self.count,
            "candidates": shown.select(CANDIDATE_FIELDS).to_dicts(),
            "excluded": {code: {"count": n, "reason": rules.EXCLUSIONS[code][0], "reason_en": rules.EXCLUSIONS[code][1]}
                         for code, n in self.excluded.items()},
        }  # fmt: skip


#: The fields of a candidate in JSON, workbooks and the API.
CANDIDATE_FIELDS = ("priority", "nik", "name", "desa", "desa_name", "decile", "village_role", "groups", "sources",
                    "reason", "bpjs_status", "status")  # fmt: skip


def _people_in(scope: Scope, region: str) -> QuerySet[ListPerson]:
    return ListPerson.objects.filter(in_region("desa_id", region, villages_only=True)).filter(
        scope.region_q("desa_id", villages_only=True)).order_by()  # fmt: skip


def _outcome(scope: Scope, region: str, *, max_decile: int | None, groups: Sequence[str] | None,
             as_of: dt.date) -> core.Outcome:  # fmt: skip
    """The candidates of ``region`` in full (unmasked; callers mask)."""
    people = _people_in(scope, region)
    lists = _query_frame(people, {"nik": pl.String, "name": pl.String, "birth_date": pl.Date, "sex": pl.String,
                                "desa_id": pl.String, "decile": pl.Int16, "occupation": pl.String,
                                "village_role": pl.String, "groups": pl.String, "source_id": pl.Int64})  # fmt: skip
    # A handful of sources: their names and kinds are mapped in Polars, not joined in SQL for every row.
    sources = ListSource.objects.filter(pk__in=lists["source_id"].unique().to_list()).values_list("pk", "name", "kind")
    names = {pk: name for pk, name, _ in sources}
    kinds = {pk: kind for pk, _, kind in sources}
    lists = lists.rename({"desa_id": "desa"}).with_columns(
        pl.col("source_id").replace_strict(names, return_dtype=pl.String).alias("source"),
        pl.col("source_id").replace_strict(kinds, return_dtype=pl.String).alias("kind"),
    ).drop("source_id")
    # BPJS records and registry people of the listed NIKs: indexed lookups in chunks (a subquery over the list
    # table would make the database build and probe it once per table).
    niks = lists["nik"].unique().to_list()
    files = dict(BpjsFile.objects.filter(as_of__lte=as_of).values_list("pk", "as_of"))
    bpjs = _by_nik(BpjsRecord.objects.filter(file_id__in=list(files)).order_by(), niks,
                   {"nik": pl.String, "status": pl.String, "kpj": pl.String, "file_id": pl.Int64})  # fmt: skip
    bpjs = bpjs.with_columns(pl.col("file_id").replace_strict(files, return_dtype=pl.Date).alias("as_of"))
    registry = _by_nik(Participant.objects.order_by(), niks, {"nik": pl.String, "paid_through": pl.Date})
    deceased = read_frame(Enrolment.objects.filter(in_region("desa_id", region[:5], villages_only=True),
                                                   status=Status.DECEASED).order_by(),
                          {"nik": pl.String})["nik"].to_list()  # fmt: skip
    age = rules.AgeRule(settings.UCJ_TARGET_MIN_AGE, settings.UCJ_TARGET_MAX_AGE)
    return core.compute(lists, bpjs, registry, as_of=as_of, since=active_since(as_of, settings.UCJ_LAPSE_MONTHS),
                        age=age, deceased=deceased, max_decile=max_decile, groups=groups)  # fmt: skip


def candidates(user: Any, region: str, *, max_decile: int | None = None, groups: Sequence[str] | None = None,
               as_of: dt.date | None = None, context: str = "listing") -> CandidateResult:  # fmt: skip
    """The people of ``region`` to enrol, in priority order (:mod:`ucj.targeting.candidates`), with the
    worklist status of those already on one; NIK and name shown as the caller may see them in ``context``
    (``listing``: never a full NIK; ``export``: full for full roles — the CLI and workbooks). 404 outside the
    caller's regions."""
    scope = _scope(user)
    code = _region_or_404(region)
    _reachable(scope, code)
    as_of = as_of or timezone.localdate()
    outcome = _outcome(scope, code, max_decile=max_decile, groups=groups, as_of=as_of)
    frame = outcome.frame
    names = _names(frame["desa"].unique().to_list())
    # enrolments are per kab/kota: those of the region's kab/kota (or of the province, for a province)
    enrolled = _query_frame(Enrolment.objects.filter(in_region("desa_id", code[:5], villages_only=True)).order_by(),
                            {"nik": pl.String, "status": pl.String})  # fmt: skip
    # the candidates stay in priority order (maintain_order: no second sort of the wide rows)
    frame = frame.join(enrolled.unique("nik"), on="nik", how="left", maintain_order="left").with_columns(
        pl.col("desa").replace_strict(names, default="").alias("desa_name"))  # fmt: skip
    frame = _masked(frame, scope, context)
    return CandidateResult(region=code, as_of=as_of, frame=frame, excluded=outcome.excluded)


def candidates_xlsx(result: CandidateResult) -> bytes:
    """The candidates as a workbook (formula-safe), with a sheet of the excluded counts and their reasons."""
    excluded = [(f"{rules.EXCLUSIONS[c][0]} / {rules.EXCLUSIONS[c][1]}", n) for c, n in result.excluded.items()]
    return frame_xlsx({"Sasaran": result.frame.select(CANDIDATE_FIELDS)},
                      {"Dikecualikan": [("Wilayah / region", result.region), ("Per tanggal / as of",
                                        result.as_of.isoformat()), ("Kandidat / candidates", result.count),
                                        *excluded]})  # fmt: skip
