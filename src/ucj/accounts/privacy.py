"""Masking personal data (UU 27/2022 PDP): the shell around the per-role policy of :mod:`ucj.accounts.policy`.

Pages, API, exports and findings ask :func:`views_for` what a user sees of the people of one region, in one
context, and apply it with :func:`ucj.accounts.policy.apply_record` / :func:`~ucj.accounts.policy.apply_frame`.
Searches go through :func:`search_allowed` (rate limit) and :func:`audit_search` (audit without the term); roster
dry runs, which tell which NIKs a file would create, through :func:`dry_run_allowed`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from ucj.accounts import audit
from ucj.accounts.policy import MASKED, FieldViews, RolePolicy, best_policy, mask_name, mask_nik, mask_text
from ucj.accounts.scoping import FULL_NIK_ROLES, Scope, scope_for
from ucj.regions.codes import contains

__all__ = ["audit_search", "dry_run_allowed", "mask_digits", "mask_name", "mask_nik", "mask_text", "policy_over",
           "search_allowed", "search_rate", "views_for"]  # fmt: skip

Context = Literal["record", "listing", "export"]

_DIGIT_RUN = re.compile(r"(?<!\d)(\d{4})(\d{4,})")


def mask_digits(text: str) -> str:
    """Mask every run of 8 or more digits in free text after its first 4 (NIKs, also malformed ones with a
    digit too many or too few, phone and KPJ numbers): ``'16060113019000441'`` → ``'1606*************'``."""
    return _DIGIT_RUN.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text)


def _scope(who: Any) -> Scope:
    return who if isinstance(who, Scope) else scope_for(who)


def policy_over(who: Any, code: str | None) -> RolePolicy:
    """The policy a user (or a :class:`Scope`) has over the people of region ``code``: that of the most
    permissive full role held over it (``Scope.sees_full_nik``), else :data:`ucj.accounts.policy.MASKED`.
    ``code=None``: any region (the user's own upload without a region)."""
    scope = _scope(who)
    if not scope.sees_full_nik(code):
        return MASKED
    if scope.everywhere:
        roles: set[str] = {"admin"}
    else:
        roles = {r for r, c in scope.grants if r in FULL_NIK_ROLES and c and (code is None or contains(c, code))}
    return best_policy(roles, bpjs_full_exports=settings.UCJ_BPJS_FULL_NIK_EXPORTS)


def views_for(who: Any, code: str | None, context: Context) -> FieldViews:
    """What ``who`` sees of people of region ``code`` in ``context`` (``record``, ``listing``, ``export``)."""
    policy = policy_over(who, code)
    views: FieldViews = getattr(policy, context)
    return views


# --- searches ----------------------------------------------------------------------------------------------

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def search_rate(setting: str = "UCJ_SEARCH_RATE") -> tuple[int, int]:
    """A rate setting such as ``UCJ_SEARCH_RATE`` (``"30/minute"``) as (count, seconds)."""
    match = _RATE.match(str(getattr(settings, setting)))
    if match is None:
        raise ImproperlyConfigured(f"{setting} must look like '30/minute' (second, minute, hour or day)")
    return int(match.group(1)), _PERIODS[match.group(2)]


def search_allowed(user: Any) -> bool:
    """Count one search of ``user``; False once the user is over ``UCJ_SEARCH_RATE`` in the current window.
    Uses Django's cache (one window per user; with several server processes use a shared cache)."""
    return _within_rate(user, "search", "UCJ_SEARCH_RATE")


def dry_run_allowed(user: Any) -> bool:
    """Count one roster dry run of ``user``; False once over ``UCJ_DRY_RUN_RATE`` (issue 11 §8–9: a dry run of
    many NIKs must not become a fast way to probe the registry)."""
    return _within_rate(user, "dry-run", "UCJ_DRY_RUN_RATE")


def _within_rate(user: Any, kind: str, setting: str) -> bool:
    limit, period = search_rate(setting)
    window = int(time.time() // period)
    # "~ucj:" keys are always written, even while an import holds SQLite's write lock (ucj.coverage.cache): a
    # counter that skipped its writes would fail open. The search's audit row waits for that lock anyway.
    key = f"~ucj:{kind}-rate:{getattr(user, 'pk', None)}:{period}:{window}"
    cache.add(key, 0, period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 1)
        count = 1
    return bool(count <= limit)


def term_digest(term: str) -> str:
    """A keyed hash of a search term: an auditor holding the server's key can check whether a given NIK or
    name was searched; the audit table alone reveals nothing (a plain hash of a NIK is easy to reverse)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, term.strip().casefold().encode(), hashlib.sha256).hexdigest()[:32]


def audit_search(request: HttpRequest | None, kind: str, term: str, outcome: str, found: int | None,
                 *, via: str) -> None:  # fmt: skip
    """Audit one search: ``kind`` (nik/name), ``outcome`` (ok/refused code), how many were found — never the
    term itself (its keyed hash only)."""
    audit.record("participant_search", request=request, object_type="participant",
                 summary=f"{via}: {kind} {outcome}" + (f", {found} ditemukan" if found is not None else ""),
                 changes={"kind": kind, "outcome": outcome, "found": found, "term_hmac": term_digest(term),
                          "length": len(term)})  # fmt: skip
