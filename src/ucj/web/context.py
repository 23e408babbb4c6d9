"""Template context shared by every page."""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest

from ucj import __version__
from ucj.accounts.scoping import AUDIT_ROLES, REGISTRY_WRITE_ROLES, scope_for


def common(request: HttpRequest) -> dict[str, Any]:
    """Version, demo banner flag and the user's scope for the navigation."""
    scope = scope_for(getattr(request, "user", None))
    return {
        "ucj_version": __version__,
        "ucj_demo": os.environ.get("UCJ_DEMO") == "1",
        "ucj_scope": scope,
        "ucj_can_audit": scope.can(AUDIT_ROLES),
        "ucj_can_write_registry": scope.can(REGISTRY_WRITE_ROLES),  # transfers and NIK conflicts in the menu
    }
