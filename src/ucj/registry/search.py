"""Searching participants without turning the search into an oracle (issue 11, point 8).

Rules (docs/privacy.md): a search finds only people the user sees in full (a role of ``FULL_NIK_ROLES`` over
their village), so it can never tell a viewer anything the masked pages hide.

* A NIK search takes all 16 digits (prefixes are refused: 61 prefix searches rebuilt a NIK digit by digit).
* A name search (part of a name) needs a full view too: otherwise it tells which masked row holds a name.
* Every new search is counted against ``UCJ_SEARCH_RATE`` (429 beyond it) and audited without the term.

Pages and API both call :func:`run_search` once per new term and :func:`search_filter` to list its results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ucj.accounts.privacy import audit_search, search_allowed
from ucj.accounts.scoping import FULL_NIK_ROLES, scope_for, visible
from ucj.registry.models import Participant, ParticipantQuerySet

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A search that is not run, with its code, HTTP status and bilingual message."""

    code: str
    status: int
    message: str
    message_en: str


NIK_PARTIAL = Refusal("NIK_PARTIAL", 400, "Cari NIK hanya dengan 16 digit lengkap.",
                      "Search a NIK by all 16 digits only.")  # fmt: skip
NIK_NOT_ALLOWED = Refusal("NIK_NOT_ALLOWED", 403, "Peran Anda tidak boleh mencari menurut NIK.",
                          "Your role may not search by NIK.")  # fmt: skip
NAME_NOT_ALLOWED = Refusal("NAME_NOT_ALLOWED", 403, "Peran Anda tidak boleh mencari menurut nama.",
                           "Your role may not search by name.")  # fmt: skip
RATE_LIMITED = Refusal("RATE_LIMITED", 429, "Terlalu banyak pencarian; coba lagi sebentar lagi.",
                       "Too many searches; try again shortly.")  # fmt: skip

# The page texts, for the translation catalogue (the API sends both languages itself).
_PAGE_TEXTS = (_("Cari NIK hanya dengan 16 digit lengkap."), _("Peran Anda tidak boleh mencari menurut NIK."),
               _("Peran Anda tidak boleh mencari menurut nama."),
               _("Terlalu banyak pencarian; coba lagi sebentar lagi."))  # fmt: skip


def classify(term: str) -> tuple[str, str]:
    """``(kind, value)``: ``("nik", 16 digits)``, ``("nik_partial", digits)``, ``("name", text)`` or
    ``("", "")`` for an empty term. Spaces, dots and dashes inside a number are ignored."""
    term = term.strip()
    if not term:
        return "", ""
    digits = _SEPARATORS.sub("", term)
    if digits.isdigit():
        return ("nik", digits) if len(digits) == 16 else ("nik_partial", digits)
    return "name", term


def _full_view(user: Any) -> Any:
    return scope_for(user).region_q("desa_id", FULL_NIK_ROLES, villages_only=True)


def refusal_for(user: Any, term: str) -> Refusal | None:
    """Why ``user`` may not search ``term`` (``None``: allowed). Pure rule, no counting, no audit."""
    kind, _value = classify(term)
    if kind == "nik_partial":
        return NIK_PARTIAL
    full = scope_for(user).can(FULL_NIK_ROLES)
    if kind == "nik" and not full:
        return NIK_NOT_ALLOWED
    if kind == "name" and not full:
        return NAME_NOT_ALLOWED
    return None


def search_filter(qs: ParticipantQuerySet, user: Any, term: str) -> ParticipantQuerySet:
    """``qs`` narrowed to ``term`` under the rules above (a refused term finds no one). No audit: used to list
    the results of a search :func:`run_search` already counted and audited."""
    kind, value = classify(term)
    if not kind:
        return qs
    if refusal_for(user, term) is not None:
        return qs.none()
    qs = qs.filter(_full_view(user))
    if kind == "nik":
        return qs.filter(nik=value)
    return qs.filter(name__icontains=value)


def run_search(request: HttpRequest | None, user: Any, term: str, *, via: str) -> Refusal | int:
    """Count, check and audit one new search of ``term``; the number of people found, or the refusal.
    ``via``: ``"web"`` or ``"api"`` (in the audit summary)."""
    kind, _value = classify(term)
    if not kind:
        return 0
    if not search_allowed(user):
        audit_search(request, kind, term, RATE_LIMITED.code, None, via=via)
        return RATE_LIMITED
    refusal = refusal_for(user, term)
    if refusal is not None:
        audit_search(request, kind, term, refusal.code, None, via=via)
        return refusal
    found = search_filter(visible(Participant.objects.all(), user), user, term).count()
    audit_search(request, kind, term, "ok", found, via=via)
    return found
