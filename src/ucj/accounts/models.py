"""Role assignments bound to regions, API tokens and audit events."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PROVINSI = "provinsi", _("Analis provinsi")
    KABKOTA = "kabkota", _("Petugas kabupaten/kota")
    DESA = "desa", _("Operator desa")
    BPJS = "bpjs", _("Staf BPJS Ketenagakerjaan")
    VIEWER = "viewer", _("Pembaca (pimpinan, auditor)")


class RoleAssignment(models.Model):
    """A user holds a role over one region and everything under it (admin: everywhere)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=10, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "region"], name="unique_assignment")]
        verbose_name = _("penugasan peran")
        verbose_name_plural = _("penugasan peran")

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.region_id or '*'}"


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once when created.

    A token expires ``UCJ_TOKEN_DAYS`` after it is issued (no expiry when that setting is 0) and can be revoked;
    ``last_used_at`` is refreshed at most once a minute (:data:`LAST_USE_EVERY`), not on every request.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("awalan"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)
    revoked = models.BooleanField(_("dicabut"), default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: models.Model, name: str = "") -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the clear token (not stored)."""
        token = "ucj_" + secrets.token_urlsafe(32)
        days = settings.UCJ_TOKEN_DAYS
        expires = timezone.now() + dt.timedelta(days=days) if days > 0 else None
        row = cls.objects.create(user=user, name=name, prefix=token[4:12], digest=cls.hash(token), expires_at=expires)
        return row, token

    def state(self, now: dt.datetime | None = None) -> str:
        """``aktif``, ``dicabut`` (revoked) or ``kedaluwarsa`` (expired)."""
        if self.revoked:
            return "dicabut"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "kedaluwarsa"
        return "aktif"


class AuditEvent(models.Model):
    """Who did what to which record, when, from where. Never holds a full NIK or a name in ``summary``."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True, default="")
    object_id = models.CharField(max_length=40, blank=True, default="")
    region_code = models.CharField(max_length=13, blank=True, default="", db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("kejadian audit")
        verbose_name_plural = _("kejadian audit")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
