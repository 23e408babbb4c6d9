"""The targeting app's receiver of participants_changed (paid contributions move registered enrolments to
active) loads the targeting services only when an enrolment waits for a payment: a roster import with none
does not pay for importing them and numpy (issue 17 §2). The moves themselves: test_pipeline."""

from __future__ import annotations

import sys

import pytest

from ucj.targeting.apps import _payments_changed

pytestmark = pytest.mark.django_db


def test_without_a_waiting_enrolment_the_services_are_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ucj.targeting.services", None)  # importing it now raises ImportError
    _payments_changed(None, desa_codes=["16.06.01.2001"])
