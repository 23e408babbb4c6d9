"""Loading the synthetic demo instance for Sumsel: regions, users, imported rosters and the coverage story.

The coverage story (:mod:`ucj.demo.story`) reproduces the December 2024 Sumsel meeting figures: denominators
and targets are written as synthetic rows, the monthly BPJS feed goes through the real feed import
(:func:`ucj.coverage.feeds.import_feed`), and the rosters' coverage dates fall in 2024 so the drill-down to
kecamatan and desa shows registry data for the same period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from ucj.accounts.models import Role
from ucj.accounts.services import create_user
from ucj.demo import story
from ucj.demo.synth import synthetic_roster
from ucj.regions.models import Region
from ucj.regions.services import load_regions
from ucj.registry.models import ImportBatch
from ucj.registry.services import import_roster
from ucj.xlsx import workbook

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
COVERED_FROM, PAID_UNTIL = dt.date(2024, 1, 1), dt.date(2024, 12, 1)  # the rosters live in the story's year
FEED_USER = "bpjs.sumsel"


@dataclass
class DemoSummary:
    regions: int = 0
    participants_loaded: list[str] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    story: str = ""
    facts: int = 0
    plans: int = 0
    password: str = PASSWORD

    def describe(self) -> str:
        loaded = "; ".join(self.participants_loaded) or "daftar sudah dimuat sebelumnya / rosters already loaded"
        return (f"{self.regions:,} wilayah/regions; {loaded}; {self.story}; {self.facts:,} fakta cakupan/coverage "
                f"facts; {self.plans} skenario anggaran/budget scenarios")  # fmt: skip


def load_demo() -> DemoSummary:
    """Idempotent: regions are upserted, users re-created with the demo password, rosters imported once."""
    summary = DemoSummary(regions=load_regions("16").total)
    for username, role, region in DEMO_USERS:
        create_user(username, role=role, region=region, password=PASSWORD)
        summary.users.append((username, role.value, region or "*"))
    if not ImportBatch.objects.filter(file_name__startswith="DEMO-").exists():
        _load_rosters(summary)
    summary.story = load_story()
    from ucj.coverage.services import rebuild_facts

    summary.facts = rebuild_facts()
    summary.plans = _load_plans()
    from ucj.targeting.demo import load_targeting_demo

    summary.story += "; " + load_targeting_demo()
    from ucj.commitments.demo import load_commitments_demo

    summary.story += "; " + load_commitments_demo()
    return summary


#: The meeting's three questions as saved scenarios (issue 6), so the comparison page has something to show.
#: Both APBD pay (each funds whole workers, issue 12 item 11), so the least budgets include the workers the
#: kab/kota APBD already fund (renewals, item 12) beside the new ones.
_APBD = {"apbd_provinsi": 0.6, "apbd_kabkota": 0.4}
DEMO_PLANS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("DEMO: anggaran minimum untuk 50 % (2025)", {"question": "min_budget", "shares": _APBD}),
    ("DEMO: Rp 20 miliar, provinsi 60 % / kab-kota 40 %", {"budget": 20_000_000_000, "shares": _APBD}),
    ("DEMO: tiap kab/kota mencapai targetnya sendiri", {"question": "min_budget", "floor": "target", "shares": _APBD}),
)  # fmt: skip


def _load_plans() -> int:
    """Save the demo scenarios once (as the province analyst); returns how many were saved now."""
    from django.contrib.auth import get_user_model

    from ucj.planning.models import Scenario
    from ucj.planning.scenario import Spec
    from ucj.planning.services import save

    analyst = get_user_model().objects.get(username="analis.sumsel")
    saved = 0
    for name, spec in DEMO_PLANS:
        if not Scenario.objects.filter(name=name).exists():
            save(
                analyst, name, Spec.from_dict({"region": "16", "year": 2025, "shares": {"apbd_provinsi": 1.0}, **spec})
            )
            saved += 1
    return saved


def _load_rosters(summary: DemoSummary) -> None:
    villages = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True))
    province = synthetic_roster(PROVINCE_ROWS, villages, seed=2024, paid_until=PAID_UNTIL, covered_from=COVERED_FROM)
    summary.participants_loaded.append(
        _import("DEMO-daftar-pekerja-rentan-sumsel.csv", _csv(province), "analis.sumsel")
    )
    village = synthetic_roster(60, [DEMO_DESA], seed=7, serial_offset=PROVINCE_ROWS, error_rate=0.1,
                               paid_until=PAID_UNTIL, covered_from=COVERED_FROM)  # fmt: skip
    summary.participants_loaded.append(
        _import("DEMO-perangkat-desa-sukarami.xlsx", _village_xlsx(village), "operator.sukarami", DEMO_DESA)
    )


def load_story(feed_user: str | None = FEED_USER) -> str:
    """Denominators, targets and the 2024 BPJS feed of :mod:`ucj.demo.story`, all marked synthetic. Idempotent:
    rows are upserted, the feed is imported again only when its content changed, and real (non-synthetic)
    denominators or targets loaded since are never overwritten. ``feed_user``: the username the feed is
    imported as (None: the command line operator)."""
    from django.contrib.auth import get_user_model

    from ucj.coverage.feeds import import_feed
    from ucj.coverage.models import FeedBatch, Target, Workforce
    from ucj.coverage.services import bump_version

    with transaction.atomic():
        workforce = _upsert(Workforce, story.workforce(), ("workers", "source"))
        targets = _upsert(Target, story.targets(), ("rate", "count", "source"))
    data = story.feed_csv(story.feed())
    digest = hashlib.sha256(data).hexdigest()
    if FeedBatch.objects.filter(file_name=story.FEED_FILE, sha256=digest, synthetic=True).exists():
        fed = "feed sudah dimuat / feed already loaded"
    else:
        user = get_user_model().objects.get(username=feed_user) if feed_user else None
        report = import_feed(data, story.FEED_FILE, user=user)
        if not report.stored or report.batch_id is None:
            problems = "; ".join(f"{f.row} {f.code} {f.value}" for f in report.findings[:5])
            raise RuntimeError(f"demo feed rejected / feed demo ditolak: {problems}")
        FeedBatch.objects.filter(pk=report.batch_id).update(synthetic=True)
        fed = f"{story.FEED_FILE}: {report.accepted:,} baris/rows"
    bump_version()
    return f"{workforce} jumlah pekerja/workforce, {targets} target; {fed}"


def _upsert(model: Any, frame: pl.DataFrame, fields: tuple[str, ...]) -> int:
    """Write synthetic rows by region × year × definition, leaving real rows alone; returns rows written."""
    real = set(model.objects.filter(synthetic=False).values_list("region_id", "year", "definition"))
    written = 0
    for row in frame.iter_rows(named=True):
        key = (row["region"], row["year"], row["definition"])
        if key in real:
            continue
        values = {f: row[f] for f in fields}
        if "rate" in values and values["rate"] is not None:
            values["rate"] = Decimal(str(values["rate"])).quantize(Decimal("0.01"))
        model.objects.update_or_create(region_id=key[0], year=key[1], definition=key[2],
                                       defaults={**values, "synthetic": True})  # fmt: skip
        written += 1
    return written


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
    book = workbook(buf)  # text stays text (ucj.xlsx)
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
