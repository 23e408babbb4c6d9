"""Targeting operations that pages, the API, the CLI and jobs all call (issue 14).

Public, stable signatures (the web, dashboard and reports helpers call exactly these):

* :func:`import_list` — load a person list (DTSEN/P3KE, population export, sector list); replaces the source.
* :func:`import_bpjs` — load a BPJS person-level file; reconciles with lists and registry; moves enrolments.
* :func:`candidates` — the ranked unprotected people of a region, with excluded counts by reason.
* :func:`create_worklist` / :func:`worklist_from_plan` — put candidates (or a plan's enrolment list) on worklists.
* :func:`worklist` / :func:`worklist_xlsx` — one village's worklist (masked per policy) and its workbook.
* :func:`transition` — one status change (allowed ones only; audited).
* :func:`submission_file` — the collective registration file for BPJS from the contacted people.
* :func:`funnel` — counts per stage, conversion and median days identified → active (dashboard card).
* :func:`sync_payments` — paid contributions move registered people to active.

Who may do what is decided by :mod:`ucj.accounts.scoping` (the role sets of :mod:`ucj.targeting.common`); records
outside the caller's regions answer 404 (``Http404``), actions the role may not take :class:`TargetingRefused` (403).

This module is the one door: the operations live in one module per concept — :mod:`~ucj.targeting.lists`,
:mod:`~ucj.targeting.bpjs`, :mod:`~ucj.targeting.selection` (candidates from the database; the pure computation is
:mod:`~ucj.targeting.candidates`), :mod:`~ucj.targeting.worklists`, :mod:`~ucj.targeting.pipeline` (status moves),
:mod:`~ucj.targeting.submissions` (the collective file), :mod:`~ucj.targeting.funnel` — and are re-exported here.
"""

from ucj.registry.issues import RosterFileError
from ucj.targeting.bpjs import BpjsReport, bpjs_files, import_bpjs
from ucj.targeting.common import (
    BPJS_FILE_ROLES,
    LIST_ROLES,
    OPERATOR,
    PIPELINE_ROLES,
    WORKLIST_ROLES,
    TargetingRefused,
    TargetingThrottled,
    TransitionRefused,
)
from ucj.targeting.funnel import funnel
from ucj.targeting.lists import ListReport, import_list, list_kind, list_sources
from ucj.targeting.pipeline import sync_payments, transition
from ucj.targeting.selection import CANDIDATE_FIELDS, CandidateResult, candidates, candidates_xlsx
from ucj.targeting.submissions import SUBMISSION_FIELDS, submission_columns, submission_file, submission_files
from ucj.targeting.worklists import (
    create_worklist,
    get_enrolment,
    visible_enrolments,
    worklist,
    worklist_from_plan,
    worklist_xlsx,
)

__all__ = ["BPJS_FILE_ROLES", "CANDIDATE_FIELDS", "LIST_ROLES", "OPERATOR", "PIPELINE_ROLES", "SUBMISSION_FIELDS",
           "WORKLIST_ROLES", "BpjsReport", "CandidateResult", "ListReport", "RosterFileError", "TargetingRefused",
           "TargetingThrottled", "TransitionRefused", "bpjs_files", "candidates", "candidates_xlsx",
           "create_worklist", "funnel", "get_enrolment", "import_bpjs", "import_list", "list_kind", "list_sources",
           "submission_columns", "submission_file", "submission_files", "sync_payments", "transition",
           "visible_enrolments", "worklist", "worklist_from_plan", "worklist_xlsx"]  # fmt: skip
