"""Account operations shared by the CLI, the demo and the admin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from ucj.accounts import audit
from ucj.accounts.models import Role, RoleAssignment
from ucj.regions.codes import normalize_code
from ucj.regions.models import Region


@transaction.atomic
def create_user(username: str, *, role: str, region: str | None, password: str | None, actor: Any = None) -> Any:
    """Create ``username`` (or reuse it) and grant ``role`` over ``region``; validates the password strength."""
    if role not in Role.values:
        raise ValueError(f"Peran tidak dikenal / unknown role: {role} ({', '.join(Role.values)})")
    code = None
    if role != Role.ADMIN:
        code = normalize_code(region or "")
        if code is None or not Region.objects.filter(code=code).exists():
            raise ValueError(f"Kode wilayah tidak dikenal / unknown region code: {region}")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if password:
        validate_password(password, user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.save()
    RoleAssignment.objects.get_or_create(user=user, role=role, region_id=code)
    audit.record("user_create" if created else "role_grant", actor=actor, object_type="user", object_id=user.pk,
                 region_code=code or "", summary=f"{username}: {role} {code or '*'}")  # fmt: skip
    return user
