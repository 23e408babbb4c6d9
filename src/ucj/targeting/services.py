"""Targeting operations that pages, the API, the CLI and jobs all call (issue 14).

Public, stable signatures (the web, dashboard and reports helpers call exactly these):

* :func:`import_list` — load a person list (DTSEN/P3KE, population export, sector list); replaces the source.
* :func:`import_bpjs` — load a BPJS person-level file; reconciles with lists and registry; moves enrolments.
* :func:`candidates` — the ranked unprotected people of a region, with excluded counts by reason.
* :func:`create_worklist` / :func:`worklist_from_plan` — put candidates (or a plan's enrolment list) on worklists.
* :func:`worklist` / :func:`worklist_xlsx` — one village's worklist (masked per policy) and its workbook.
* :func:`transition` — one status change (allowed ones only; audited).
* :func:`submission_file` — the collective registration file for BPJS from the submitted people.
* :func:`funnel` — counts per stage, conversion and median days identified → active (dashboard card).
* :func:`sync_payments` — paid contributions move registered people to active.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.http import HttpRequest

from ucj.registry.issues import Finding
from ucj.targeting.models import Enrolment, SubmissionFile


class TargetingRefused(Exception):
    """The user may not do this here (bilingual message; pages/API answer 403)."""


class TransitionRefused(ValueError):
    """A status change that the pipeline does not allow, or a missing reason (bilingual message; 400)."""


@dataclass
class ListReport:
    """What happened to one list load."""

    file_name: str
    sha256: str
    source: str
    kind: str
    region: str | None = None
    source_id: int | None = None
    dry_run: bool = False
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    replaced: int = 0
    header_row: int | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class BpjsReport:
    """What happened to one BPJS person-level file, and the reconciliation answer."""

    file_name: str
    sha256: str
    as_of: dt.date
    file_id: int | None = None
    dry_run: bool = False
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    active: int = 0
    inactive: int = 0
    matched_registry: int = 0
    registry_updated: int = 0
    #: NIKs BPJS knows that no list and no registry holds (masked per the caller's policy).
    unknown: list[str] = field(default_factory=list)
    #: Registry people (in the caller's regions) that BPJS does not know (not yet registered); masked.
    not_in_bpjs: list[str] = field(default_factory=list)
    #: Name or birth-date disagreements with the registry or lists, for review (never overwritten).
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    #: Enrolments moved by the file: {"registered": n, "active": n}.
    moved: dict[str, int] = field(default_factory=dict)
    header_row: int | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass
class CandidateResult:
    """Candidates in priority order (``frame``: nik, name, desa, desa_name, decile, sources, groups, reason,
    priority, village_role, status…; NIK and name already shown as the caller may see them) and the people left
    out, counted by reason (``excluded``: {"asn": 3, "age": 5, "active": 12, …})."""

    region: str
    as_of: dt.date
    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.frame.height

    def as_json(self) -> dict[str, Any]:
        raise NotImplementedError


def import_list(data: bytes, file_name: str, *, source: str, kind: str | None = None, user: Any = None,
                region: str | None = None, dry_run: bool = False,
                request: HttpRequest | None = None) -> ListReport:  # fmt: skip
    """Load one person list, all or nothing; loading ``source`` again (same name, same region) replaces it."""
    raise NotImplementedError


def import_bpjs(data: bytes, file_name: str, *, as_of: dt.date | None = None, user: Any = None,
                dry_run: bool = False, request: HttpRequest | None = None) -> BpjsReport:  # fmt: skip
    """Load one BPJS person-level file (its status authoritative as of ``as_of``), all or nothing."""
    raise NotImplementedError


def candidates(user: Any, region: str, *, max_decile: int | None = None, groups: Sequence[str] | None = None,
               as_of: dt.date | None = None, context: str = "listing") -> CandidateResult:  # fmt: skip
    """The people of ``region`` to enrol, in priority order; ``context`` is the masking context."""
    raise NotImplementedError


def candidates_xlsx(result: CandidateResult) -> bytes:
    """The candidates as a workbook (formula-safe)."""
    raise NotImplementedError


def create_worklist(user: Any, region: str, *, max_decile: int | None = None, groups: Sequence[str] | None = None,
                    as_of: dt.date | None = None, request: HttpRequest | None = None) -> dict[str, int]:  # fmt: skip
    """Put the candidates of ``region`` (a desa, kecamatan or kab/kota) on their villages' worklists."""
    raise NotImplementedError


def worklist_from_plan(user: Any, scenario: Any, *, request: HttpRequest | None = None) -> dict[str, int]:
    """Put a saved budget plan's enrolment list (ucj.planning.services.enrolment) on the worklists."""
    raise NotImplementedError


def visible_enrolments(user: Any) -> Any:
    """Enrolments of the villages ``user`` reaches."""
    raise NotImplementedError


def get_enrolment(user: Any, pk: int) -> Enrolment:
    """One enrolment the user may see, else 404."""
    raise NotImplementedError


def worklist(user: Any, desa: str, *, status: str | None = None, context: str = "listing") -> pl.DataFrame:
    """One village's worklist in priority order (id, nik, name, decile, village_role, sources, status, reason,
    kpj, status_at, next: allowed next statuses), masked as ``user`` may see it in ``context``."""
    raise NotImplementedError


def worklist_xlsx(user: Any, desa: str, *, request: HttpRequest | None = None) -> bytes:
    """The village's worklist as a workbook (export context, audited)."""
    raise NotImplementedError


def transition(user: Any, enrolment: Enrolment, to: str, *, reason: str = "",
               request: HttpRequest | None = None) -> Enrolment:  # fmt: skip
    """Move one enrolment to ``to`` (manual changes only: registered/active are set by BPJS files and payments)."""
    raise NotImplementedError


def submission_file(user: Any, region: str, *, ids: Sequence[int] | None = None, fmt: str = "xlsx",
                    request: HttpRequest | None = None) -> SubmissionFile:  # fmt: skip
    """The collective registration file for BPJS of the contacted people of ``region`` (or of ``ids`` among
    them); they move to "submitted". Columns: setting ``UCJ_TARGETING_SUBMISSION_COLUMNS``; xlsx or csv."""
    raise NotImplementedError


def funnel(user_or_scope: Any, region: str, as_of: dt.date | None = None, by: str | None = None) -> dict[str, Any]:
    """Counts per stage of ``region``, conversion, median days identified → active; ``by="desa"`` (or
    "kecamatan", "kabkota") adds ``children`` for drill-down."""
    raise NotImplementedError


def sync_payments(desa_codes: Sequence[str]) -> int:
    """Registered enrolments whose registry participant is paid and active become active; returns how many."""
    raise NotImplementedError
