"""Loading the synthetic demo instance for Sumsel: regions, users and imported rosters."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import polars as pl
import xlsxwriter
from django.db import transaction
from django.utils import timezone

from ucj.accounts.models import Role
from ucj.accounts.services import create_user
from ucj.demo.synth import synthetic_roster
from ucj.regions.models import Region
from ucj.regions.services import load_regions
from ucj.registry.models import ImportBatch
from ucj.registry.services import import_roster

PASSWORD = "Ucj-Demo-2025!"  # noqa: S105 — demo only: printed by `ucj demo`, documented in the README
DEMO_DESA = "16.06.01.2001"  # Desa Sukarami, Kec. Sekayu, Kab. Musi Banyuasin
DEMO_USERS = [
    ("admin", Role.ADMIN, None),
    ("analis.sumsel", Role.PROVINSI, "16"),
    ("dinas.muba", Role.KABKOTA, "16.06"),
    ("operator.sukarami", Role.DESA, DEMO_DESA),
    ("bpjs.sumsel", Role.BPJS, "16"),
    ("pimpinan", Role.VIEWER, "16"),
]
PROVINCE_ROWS = 20_000


@dataclass
class DemoSummary:
    regions: int = 0
    participants_loaded: list[str] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    password: str = PASSWORD

    def describe(self) -> str:
        loaded = "; ".join(self.participants_loaded) or "sudah dimuat sebelumnya / already loaded"
        return f"{self.regions:,} wilayah/regions; {loaded}"


def load_demo() -> DemoSummary:
    """Idempotent: regions are upserted, users re-created with the demo password, rosters imported once."""
    summary = DemoSummary(regions=load_regions("16").total)
    for username, role, region in DEMO_USERS:
        create_user(username, role=role, region=region, password=PASSWORD)
        summary.users.append((username, role.value, region or "*"))
    if ImportBatch.objects.filter(file_name__startswith="DEMO-").exists():
        return summary
    villages = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True))
    today = timezone.localdate()
    province = synthetic_roster(PROVINCE_ROWS, villages, seed=2024, paid_until=today)
    summary.participants_loaded.append(
        _import("DEMO-daftar-pekerja-rentan-sumsel.csv", _csv(province), "analis.sumsel")
    )
    village = synthetic_roster(60, [DEMO_DESA], seed=7, serial_offset=PROVINCE_ROWS, paid_until=today, error_rate=0.1)
    summary.participants_loaded.append(
        _import("DEMO-perangkat-desa-sukarami.xlsx", _village_xlsx(village), "operator.sukarami", DEMO_DESA)
    )
    return summary


def _import(name: str, data: bytes, username: str, region: str | None = None) -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    with transaction.atomic():
        report = import_roster(data, name, user=user, region=region)
    return f"{name}: {report.accepted:,} diterima/accepted, {report.rejected:,} ditolak/rejected"


def _csv(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_csv(buf, separator=";")
    return buf.getvalue()


def _village_xlsx(frame: pl.DataFrame) -> bytes:
    """A roster the way a village office makes it: title rows, a merged title, NIKs as text."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Perangkat Desa")
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet.merge_range(0, 0, 0, len(frame.columns) - 1, "DAFTAR PERANGKAT DESA DAN PEKERJA RENTAN — DATA SINTETIS", bold)
    sheet.write(1, 0, "Desa Sukarami, Kecamatan Sekayu, Kabupaten Musi Banyuasin")
    sheet.write_row(3, 0, frame.columns, bold)
    for r, row in enumerate(frame.iter_rows(), start=4):
        for c, value in enumerate(row):
            sheet.write_string(r, c, "" if value is None else str(value), text)
    book.close()
    return buf.getvalue()
