"""Commitment operations (issue 13): every state change is one named function here that pages, the API, the CLI
and the loaders call; each is scoped through :mod:`ucj.accounts.scoping` and audited through
:mod:`ucj.accounts.audit`. The rules are in the pure modules :mod:`ucj.commitments.scorecard` and
:mod:`ucj.commitments.institutions`.

Conventions for the ``values`` mappings: keys are the model's field names; regions are given by code
(``region``, ``desa``, ``owner``), related rows by id (``meeting``, ``scenario``, ``unit``); dates as
``datetime.date`` or ISO text. ``update_*`` takes only the fields to change.

Errors: :class:`CommitmentRefused` (bad input; message in Indonesian / English), :class:`CommitmentForbidden`
(the role may not make that change there: 403), ``Http404`` (the record lies outside the user's regions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from ucj.accounts.scoping import Scope
from ucj.commitments.models import (
    BudgetCommitment,
    EcosystemUnit,
    FollowUpAction,
    Instrument,
    Meeting,
    Partner,
    VillageInstitution,
)


class CommitmentRefused(ValueError):
    """A change that cannot be made; the message says why (Indonesian / English)."""


class CommitmentForbidden(CommitmentRefused):
    """The user's role may not make this change in that region (pages and API answer 403)."""


@dataclass(frozen=True)
class Document:
    """An uploaded instrument document: its bytes and the name it was uploaded under."""

    content: bytes
    name: str


Values = Mapping[str, Any]


# ---------------------------------------------------------------- reads (scoped lists and single rows)

def visible_instruments(user: Any, region: str | None = None) -> QuerySet[Instrument]:
    raise NotImplementedError


def visible_budgets(user: Any, region: str | None = None, year: int | None = None) -> QuerySet[BudgetCommitment]:
    raise NotImplementedError


def visible_institutions(user: Any, region: str | None = None) -> QuerySet[VillageInstitution]:
    raise NotImplementedError


def visible_units(user: Any, region: str | None = None, kind: str | None = None) -> QuerySet[EcosystemUnit]:
    raise NotImplementedError


def visible_partners(user: Any, region: str | None = None) -> QuerySet[Partner]:
    raise NotImplementedError


def visible_meetings(user: Any, region: str | None = None) -> QuerySet[Meeting]:
    raise NotImplementedError


def visible_actions(user: Any, region: str | None = None, *, overdue_only: bool = False,
                    as_of: dt.date | None = None) -> QuerySet[FollowUpAction]:  # fmt: skip
    raise NotImplementedError


def get_instrument(user: Any, pk: int) -> Instrument:
    raise NotImplementedError


def get_budget(user: Any, pk: int) -> BudgetCommitment:
    raise NotImplementedError


def get_institution(user: Any, desa: str) -> VillageInstitution:
    raise NotImplementedError


def get_unit(user: Any, pk: int) -> EcosystemUnit:
    raise NotImplementedError


def get_partner(user: Any, pk: int) -> Partner:
    raise NotImplementedError


def get_meeting(user: Any, pk: int) -> Meeting:
    raise NotImplementedError


def get_action(user: Any, pk: int) -> FollowUpAction:
    raise NotImplementedError


def can_edit(user: Any, kind: str, region: str | None, *, payer: str | None = None) -> bool:
    """Whether ``user`` may create/change rows of ``kind`` (``instrument``, ``budget``, ``institution``, ``unit``,
    ``partner``, ``meeting``, ``action``) in ``region`` (pages use it to show or hide the buttons)."""
    raise NotImplementedError


# ---------------------------------------------------------------- changes

def create_instrument(user: Any, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    raise NotImplementedError


def update_instrument(user: Any, pk: int, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    raise NotImplementedError


def delete_instrument(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def remove_document(user: Any, pk: int, *, request: HttpRequest | None = None) -> Instrument:
    raise NotImplementedError


def instrument_document(user: Any, pk: int) -> tuple[Path, str]:
    """The stored PDF of an instrument the user sees and the name to download it under (404 otherwise)."""
    raise NotImplementedError


def create_budget(user: Any, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    raise NotImplementedError


def update_budget(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> BudgetCommitment:
    raise NotImplementedError


def delete_budget(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def set_institution(user: Any, desa: str, values: Values, *,
                    request: HttpRequest | None = None) -> VillageInstitution:  # fmt: skip
    """Create or update the positions of village ``desa``."""
    raise NotImplementedError


def delete_institution(user: Any, desa: str, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def create_unit(user: Any, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    raise NotImplementedError


def update_unit(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> EcosystemUnit:
    raise NotImplementedError


def delete_unit(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def create_partner(user: Any, values: Values, *, request: HttpRequest | None = None) -> Partner:
    raise NotImplementedError


def update_partner(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> Partner:
    raise NotImplementedError


def delete_partner(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def create_meeting(user: Any, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    raise NotImplementedError


def update_meeting(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> Meeting:
    raise NotImplementedError


def delete_meeting(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def create_action(user: Any, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    raise NotImplementedError


def update_action(user: Any, pk: int, values: Values, *, request: HttpRequest | None = None) -> FollowUpAction:
    raise NotImplementedError


def delete_action(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    raise NotImplementedError


def set_action_status(user: Any, pk: int, status: str, *, done_on: dt.date | None = None, note: str | None = None,
                      request: HttpRequest | None = None) -> FollowUpAction:  # fmt: skip
    raise NotImplementedError


# ---------------------------------------------------------------- computed answers

def realisation(region: str, year: int, payer: str) -> int:
    """Rupiah paid in ``year`` on the bills of budget payer ``payer`` in ``region`` (see docs/commitments.md)."""
    raise NotImplementedError


def budget_rows(user: Any, region: str, year: int) -> list[dict[str, Any]]:
    """The budget commitments of ``region`` and below for ``year`` with their computed realisation."""
    raise NotImplementedError


def institutions_table(user_or_scope: Any | Scope, region: str, by: str | None = None,
                       as_of: dt.date | None = None) -> dict[str, Any]:  # fmt: skip
    """``{"region": {...}, "children": [...]}``: positions, registered and active per role, fully protected villages."""
    raise NotImplementedError


def unit_rows(user: Any, region: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Ecosystem units of ``region`` with workers known vs covered (registry people naming the unit)."""
    raise NotImplementedError


def scorecard(user_or_scope: Any | Scope, region: str, year: int, by: str | None = None) -> dict[str, Any]:
    """The scorecard of ``region`` for ``year`` (and of its children at level ``by``): issue 13 §8's JSON."""
    raise NotImplementedError


def scorecard_rules() -> list[dict[str, Any]]:
    """The composite status rule as data (each score, its thresholds, in Indonesian and English)."""
    raise NotImplementedError
