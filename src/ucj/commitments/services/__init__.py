"""Commitment operations (issue 13): every state change is one named function that pages, the API, the CLI and the
loaders call; each is scoped through :mod:`ucj.accounts.scoping` and audited through :mod:`ucj.accounts.audit`.
The rules are in the pure modules :mod:`ucj.commitments.scorecard` and :mod:`ucj.commitments.institutions`.

One module per concept, all reachable from here (``from ucj.commitments import services``):

* :mod:`.base` — who may do what (``WRITE_ROLES``, :func:`can_edit`), the kinds of rows, the one audited path of
  every create/update/delete, the errors;
* :mod:`.regulations` — instruments and their PDF documents;
* :mod:`.budgets` — budget lines and their realisation (computed from paid bills);
* :mod:`.villages` — village institutions against the registry;
* :mod:`.ecosystem` — ecosystem units (workers known vs covered) and partners;
* :mod:`.meetings` — meetings and follow-up actions;
* :mod:`.scoring` — the scorecard.

Conventions for the ``values`` mappings: keys are the model's field names; regions are given by code
(``region``, ``desa``, ``owner``), related rows by id (``meeting``, ``scenario``, ``unit``); dates as
``datetime.date`` or ISO text. ``update_*`` takes only the fields to change.

Errors: :class:`CommitmentRefused` (bad input; message in Indonesian / English), :class:`CommitmentForbidden`
(the role may not make that change there: 403), ``Http404`` (the record lies outside the user's regions).
A ``user`` of ``None`` is the command line without ``--user``: it reaches everything (like the registry's).
"""

from __future__ import annotations

from ucj.commitments.services.base import (
    APBDES_ROLES,
    EVERYWHERE,
    KINDS,
    WRITE_ROLES,
    CommitmentForbidden,
    CommitmentRefused,
    Values,
    can_edit,
    thresholds,
)
from ucj.commitments.services.budgets import (
    BILL_PAYER,
    budget_rows,
    create_budget,
    delete_budget,
    get_budget,
    realisation,
    update_budget,
    visible_budgets,
)
from ucj.commitments.services.ecosystem import (
    create_partner,
    create_unit,
    delete_partner,
    delete_unit,
    get_partner,
    get_unit,
    unit_rows,
    update_partner,
    update_unit,
    visible_partners,
    visible_units,
)
from ucj.commitments.services.meetings import (
    PROGRESS_FIELDS,
    create_action,
    create_meeting,
    delete_action,
    delete_meeting,
    get_action,
    get_meeting,
    may_change_decision,
    own_meetings,
    set_action_status,
    update_action,
    update_meeting,
    visible_actions,
    visible_meetings,
)
from ucj.commitments.services.regulations import (
    PDF_MAGIC,
    Document,
    check_document,
    create_instrument,
    delete_instrument,
    get_instrument,
    instrument_document,
    max_document_bytes,
    remove_document,
    update_instrument,
    visible_instruments,
)
from ucj.commitments.services.scoring import default_year, scorecard, scorecard_rules
from ucj.commitments.services.villages import (
    delete_institution,
    get_institution,
    institutions_table,
    set_institution,
    visible_institutions,
)

__all__ = [
    "APBDES_ROLES", "BILL_PAYER", "EVERYWHERE", "KINDS", "PDF_MAGIC", "PROGRESS_FIELDS", "WRITE_ROLES",
    "CommitmentForbidden", "CommitmentRefused", "Document", "Values", "budget_rows",
    "can_edit", "check_document", "create_action", "create_budget", "create_instrument", "create_meeting",
    "create_partner", "create_unit", "default_year", "delete_action", "delete_budget", "delete_institution",
    "delete_instrument", "delete_meeting", "delete_partner", "delete_unit", "get_action", "get_budget",
    "get_institution", "get_instrument", "get_meeting", "get_partner", "get_unit", "institutions_table",
    "instrument_document", "max_document_bytes", "may_change_decision", "own_meetings", "realisation",
    "remove_document", "scorecard", "scorecard_rules", "set_action_status", "set_institution", "thresholds",
    "unit_rows", "update_action", "update_budget", "update_instrument", "update_meeting", "update_partner",
    "update_unit", "visible_actions", "visible_budgets", "visible_institutions", "visible_instruments",
    "visible_meetings", "visible_partners", "visible_units",
]  # fmt: skip
