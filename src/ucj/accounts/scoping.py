"""The one place where region-scoped access is decided.

Every page, API endpoint, export, report and background job asks :func:`scope_for` what a user may see
and do. Region codes are hierarchical prefixes, so "this region and everything under it" is a range
filter on the code (:func:`ucj.regions.models.in_region`). Records outside a user's scope answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from ucj.accounts.models import Role, RoleAssignment
from ucj.regions.codes import contains
from ucj.regions.models import in_region

#: Roles that may see full NIKs on a participant's detail page (audited). Viewers never do.
FULL_NIK_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.DESA, Role.BPJS})
#: Roles that may change registry data (edit participants, import rosters) inside their regions.
REGISTRY_WRITE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.DESA, Role.BPJS})
#: Roles that may make bills and record payments inside their regions (viewers only read them).
BILLING_ROLES = REGISTRY_WRITE_ROLES
#: Roles that may load participation feeds (aggregate counts from BPJS) inside their regions.
COVERAGE_WRITE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA, Role.BPJS})
#: Roles that may set denominators (workforce) and coverage targets inside their regions.
TARGET_WRITE_ROLES = frozenset({Role.ADMIN, Role.PROVINSI})
#: Roles that may make and save budget plans (the province and kab/kota governments) inside their regions.
PLAN_ROLES = frozenset({Role.ADMIN, Role.PROVINSI, Role.KABKOTA})
#: Roles that may read the audit trail.
AUDIT_ROLES = frozenset({Role.ADMIN, Role.PROVINSI})


@dataclass(frozen=True)
class Scope:
    """What one user may reach: ``everywhere`` (admin) or the listed region codes and all below them."""

    grants: tuple[tuple[str, str], ...]  # (role, region code)
    everywhere: bool = False

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for r, _ in self.grants) | (frozenset({Role.ADMIN}) if self.everywhere else frozenset())

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({code for _, code in self.grants if code}))

    def region_q(self, field: str, roles: frozenset[str] | None = None, *, villages_only: bool = False) -> Q:
        """Filter on a region-code ``field`` for the regions this user reaches (optionally via ``roles``);
        ``villages_only`` when the field always holds a desa code (see :func:`in_region`)."""
        if self.everywhere:
            return ~Q(pk__in=[])  # "everything": unlike Q(), still means everything when OR-ed with more
        codes = sorted({c for r, c in self.grants if c and (roles is None or r in roles)})
        if not codes:
            return Q(pk__in=[])
        return reduce(or_, (in_region(field, c, villages_only=villages_only) for c in codes))

    def covers(self, code: str | None, roles: frozenset[str] | None = None) -> bool:
        """True when region ``code`` lies inside one of this user's regions (via ``roles`` if given)."""
        if self.everywhere:
            return True
        if not code:
            return False
        return any(contains(c, code) for r, c in self.grants if c and (roles is None or r in roles))

    def can(self, roles: frozenset[str], code: str | None = None) -> bool:
        """Whether the user holds one of ``roles`` (over ``code``, when a region is given)."""
        if self.everywhere:
            return True
        if code is None:
            return bool(self.roles & roles)
        return self.covers(code, roles)

    def sees_full_nik(self, code: str | None) -> bool:
        """Whether full NIKs and names of people in region ``code`` may be shown: only through a role of
        FULL_NIK_ROLES held over that region (a province-wide viewer who also runs one village sees full data
        of that village only). ``None``: any such role (e.g. the uploader's own batch without a region)."""
        return self.can(FULL_NIK_ROLES, code)


NO_SCOPE = Scope(grants=())


def scope_for(user: Any) -> Scope:
    """The scope of ``user`` (anonymous and inactive users reach nothing); cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_ucj_scope", None)
    if cached is not None:
        return cached
    grants = tuple(RoleAssignment.objects.filter(user=user).values_list("role", "region_id"))
    everywhere = user.is_superuser or any(role == Role.ADMIN for role, _ in grants)
    scope = Scope(grants=tuple((r, c or "") for r, c in grants), everywhere=everywhere)
    user._ucj_scope = scope
    return scope


_QS = TypeVar("_QS", bound=QuerySet[Any])


def visible(qs: _QS, user: Any, field: str = "desa_id") -> _QS:
    """``qs`` restricted to rows whose region ``field`` the user may see (``desa_id`` holds village codes)."""
    return qs.filter(scope_for(user).region_q(field, villages_only=field == "desa_id"))


def region_choices(scope: Scope, limit: int = 1000) -> list[tuple[str, str]]:
    """The regions a user can narrow a list to, as (code, label) in code order: each of their regions and the two
    levels below it (admin: the province and the kab/kota); labels indented by level (``· · Sukarami (16.06.01.2001)``).
    The region pickers of the registry list and the targeting pages use it; at most ``limit`` rows."""
    from ucj.regions.models import Region

    if scope.everywhere:
        qs = Region.objects.filter(level__lte=2)
    else:
        wanted = Q(pk__in=[])
        for code in scope.regions:
            depth = code.count(".") + 1
            wanted |= Q(code=code) | (in_region("code", code, villages_only=False) & Q(level__lte=min(depth + 2, 4)))
        qs = Region.objects.filter(wanted)
    rows = qs.order_by("code").values_list("code", "name", "level")[:limit]
    return [(code, f"{'· ' * (level - 1)}{name} ({code})") for code, name, level in rows]


def get_visible_or_404(qs: QuerySet[Any], user: Any, field: str = "desa_id", **lookup: Any) -> Any:
    """One row the user may see, else 404 — existence outside the scope does not leak."""
    try:
        return visible(qs, user, field).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc
