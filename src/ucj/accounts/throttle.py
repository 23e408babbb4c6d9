"""Login throttling on top of django-axes: two limits at once.

* ``AXES_FAILURE_LIMIT`` (``UCJ_LOGIN_FAILURE_LIMIT``, 5) failures of one account from one address lock that
  account at that address — the owner elsewhere can still log in;
* ``UCJ_LOGIN_ACCOUNT_LIMIT`` (10) failures of one account from any addresses lock the account everywhere, so
  guessing from many addresses (20 failures from 5 addresses) stops too.

Both lock for ``AXES_COOLOFF_TIME``. Axes compares one failure count with one limit; this handler expresses the
per-account count in units of the per-address limit, so either count reaching its own limit locks.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class TwoLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        limit = int(settings.AXES_FAILURE_LIMIT)
        account_limit = max(1, int(settings.UCJ_LOGIN_ACCOUNT_LIMIT))
        counts = []
        for params, attempts in zip(settings.AXES_LOCKOUT_PARAMETERS,
                                    self.get_user_attempts(request, credentials), strict=True):  # fmt: skip
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if params in ("username", ["username"]):
                failures = failures * limit // account_limit  # ≥ limit exactly when failures ≥ account_limit
            counts.append(failures)
        return max(counts, default=0)
