"""The participation feed import end to end: service, ``ucj import feed`` and ``POST /api/v1/imports/feed`` —
all or nothing, replacement of earlier counts, scoping, audit and the coverage cache."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import Result

from tests.cli import conftest as cli_fixtures
from tests.cli.conftest import flat
from ucj.accounts.models import AuditEvent
from ucj.coverage.feedcheck import FeedFileError
from ucj.coverage.feeds import FeedRefused, import_feed
from ucj.coverage.models import FeedBatch, FeedRow
from ucj.coverage.services import VERSION_KEY, coverage

pytestmark = pytest.mark.django_db
cli = cli_fixtures.cli  # the ``ucj`` CliRunner fixture of tests/cli

HEADER = "Kode Wilayah,Kabupaten/Kota,Bulan,Segmen,Ekosistem,Pembayar,Peserta Aktif"
CLEAN = [
    HEADER,
    "16.06,Musi Banyuasin,2024-03,PU,,,12.345",
    "16.06,Musi Banyuasin,2024-03,BPU,rentan,APBD,2.000",
    ",Kota Palembang,Maret 2024,Penerima Upah,,,50000",
    "16.06,,2024-04,PU,,,12.400",
]


def run(path: Path, **kwargs: Any) -> Any:
    return import_feed(path.read_bytes(), path.name, **kwargs)


def cells() -> dict[tuple[str, str, str, str, str], int]:
    return {(r.region_id, f"{r.month:%Y-%m}", r.segment, r.ecosystem, r.payer): r.active for r in FeedRow.objects.all()}


def test_clean_feed_is_stored_in_one_batch(write_csv: Callable[..., Path], admin_user: Any) -> None:
    report = run(write_csv(CLEAN, "feed.csv"), user=admin_user)
    assert (report.rows, report.accepted, report.rejected, report.replaced, report.stored) == (4, 4, 0, 0, True)
    assert report.months == ["2024-03", "2024-04"] and report.regions == ["16.06", "16.71"]
    batch = FeedBatch.objects.get()
    assert (batch.pk, batch.file_name, batch.rows, batch.accepted, batch.user) == (
        report.batch_id, "feed.csv", 4, 4, admin_user)  # fmt: skip
    assert cells() == {
        ("16.06", "2024-03", "PU", "", ""): 12345,
        ("16.06", "2024-03", "BPU", "rentan", "apbd_kabkota"): 2000,
        ("16.71", "2024-03", "PU", "", ""): 50000,
        ("16.06", "2024-04", "PU", "", ""): 12400,
    }
    event = AuditEvent.objects.get(action="import_feed")
    assert event.actor == admin_user and event.object_id == str(batch.pk) and event.region_code == "16"
    assert event.changes["months"] == ["2024-03", "2024-04"] and event.changes["replaced"] == 0


def test_one_bad_row_stores_nothing(write_csv: Callable[..., Path]) -> None:
    lines = [*CLEAN, "16.06,,2024-05,PU,,,12,5"]  # a decimal count (unquoted: an extra cell is ignored)
    lines[-1] = '16.06,,2024-05,PU,,,"12,5"'
    report = run(write_csv(lines))
    assert (report.rows, report.rejected, report.accepted, report.stored, report.batch_id) == (5, 1, 0, False, None)
    assert [(f.row, f.code) for f in report.findings] == [(6, "COUNT_DECIMAL")]
    assert not FeedBatch.objects.exists() and not FeedRow.objects.exists()
    assert not AuditEvent.objects.filter(action="import_feed").exists()


def test_every_rejected_row_is_listed(write_csv: Callable[..., Path]) -> None:
    lines = [HEADER, "16.99,,2024-03,PU,,,1", "16.06,,2024-13,PU,,,1", "16.06,,2024-03,XX,,,1",
             "16.06,,2024-03,PU,,,-1", "16.06,,2024-03,BPU,,,1", "16.06,,2024-03,BPU,,,2"]  # fmt: skip
    report = run(write_csv(lines))
    assert report.rejected == 5 and not FeedRow.objects.exists()
    assert [(f.row, f.code) for f in report.findings] == [
        (2, "REGION_UNKNOWN"), (3, "MONTH_INVALID"), (4, "SEGMENT_UNKNOWN"), (5, "COUNT_NEGATIVE"),
        (7, "DUPLICATE_IN_FILE")]  # fmt: skip


def test_a_later_feed_replaces_the_earlier_count(write_csv: Callable[..., Path]) -> None:
    first = run(write_csv(CLEAN, "maret.csv"))
    second = run(write_csv([HEADER, "16.06,,2024-03,PU,,,13.000", "16.06,,2024-03,PU,desa,,500"], "koreksi.csv"))
    assert (second.accepted, second.replaced) == (2, 1)
    got = cells()
    assert got[("16.06", "2024-03", "PU", "", "")] == 13000  # replaced
    assert got[("16.06", "2024-03", "PU", "desa", "")] == 500  # a new cell
    assert got[("16.71", "2024-03", "PU", "", "")] == 50000  # untouched
    assert len(got) == 5
    assert FeedRow.objects.get(region_id="16.06", month=dt.date(2024, 3, 1), segment="PU", ecosystem="").batch_id == (
        second.batch_id
    )
    assert FeedRow.objects.filter(batch_id=first.batch_id).count() == 3


def test_dry_run_stores_nothing_and_counts_replacements(write_csv: Callable[..., Path]) -> None:
    run(write_csv(CLEAN, "a.csv"))
    report = run(write_csv(CLEAN, "b.csv"), dry_run=True)
    assert (report.dry_run, report.stored, report.batch_id, report.accepted, report.replaced) == (
        True, False, None, 4, 4)  # fmt: skip
    assert FeedBatch.objects.count() == 1


def test_the_coverage_cache_is_invalidated(
    write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any
) -> None:
    cache.set(VERSION_KEY, "before", None)
    with django_capture_on_commit_callbacks(execute=True):
        run(write_csv(CLEAN))
    after = cache.get(VERSION_KEY)
    assert after is not None and after != "before"
    with django_capture_on_commit_callbacks(execute=True):
        run(write_csv([HEADER, "16.06,,2024-03,PU,,,-1"]))  # rejected: nothing changes
    assert cache.get(VERSION_KEY) == after


def test_the_indicator_uses_the_feed(write_csv: Callable[..., Path], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run(write_csv(CLEAN))
    result = coverage("16.06", as_of=dt.date(2024, 3, 1))
    assert result["region"]["covered"] == 14345 and result["region"]["source"] == "feed"


def test_a_kecamatan_asked_directly_knows_its_kab_has_a_feed(write_csv: Callable[..., Path]) -> None:
    run(write_csv(CLEAN))
    kecamatan = coverage("16.06.01", as_of=dt.date(2024, 3, 1))["region"]
    assert (kecamatan["covered"], kecamatan["source"]) == (0, "registry-partial")


def test_scope_kabkota_user_cannot_load_other_regions(write_csv: Callable[..., Path], kab_user: Any) -> None:
    report = run(write_csv(CLEAN), user=kab_user)  # kab_user is Musi Banyuasin (16.06); row 4 is Palembang
    assert report.rejected == 1 and not FeedRow.objects.exists()
    [outside] = [f for f in report.findings if f.code == "REGION_OUTSIDE"]
    assert (outside.row, outside.value, outside.extra) == (4, "16.71", "16.06")
    ok = run(write_csv([line for line in CLEAN if "Palembang" not in line]), user=kab_user)
    assert ok.stored and ok.accepted == 3


def test_bpjs_and_provinsi_users_may_load(write_csv: Callable[..., Path], make_user: Callable[..., Any]) -> None:
    assert run(write_csv(CLEAN), user=make_user("bpjs", "16")).stored
    assert run(write_csv(CLEAN), user=make_user("provinsi", "16")).replaced == 4


@pytest.mark.parametrize("role", ["desa", "viewer"])
def test_desa_and_viewer_are_refused(write_csv: Callable[..., Path], make_user: Callable[..., Any], role: str) -> None:
    user = make_user(role, "16.06.01.2001" if role == "desa" else "16")
    with pytest.raises(FeedRefused):
        run(write_csv(CLEAN), user=user)
    assert not FeedRow.objects.exists()


def test_file_errors_raise(write_csv: Callable[..., Path]) -> None:
    with pytest.raises(FeedFileError) as err:
        run(write_csv(["NIK,Nama", "1,2"]))
    assert err.value.code == "FILE_NO_HEADER"


def test_xlsx_feed(write_xlsx: Callable[..., Path]) -> None:
    path = write_xlsx([["Kode", "Periode", "Segmen", "Jumlah"], ["16.06", dt.date(2024, 3, 1), "BPU", 1200],
                       ["16.06", "April 2024", "BPU", 1300]], name="feed.xlsx")  # fmt: skip
    report = run(path)
    assert report.stored and cells() == {("16.06", "2024-03", "BPU", "", ""): 1200,
                                         ("16.06", "2024-04", "BPU", "", ""): 1300}  # fmt: skip


# ---------------------------------------------------------------- CLI


def test_cli_json_ok(cli: Callable[..., Result], write_csv: Callable[..., Path], admin_user: Any) -> None:
    result = cli("import", "feed", write_csv(CLEAN), "--json", "--user", admin_user.username)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["accepted"], report["rejected"], report["stored"]) == (4, 0, True)
    assert report["columns"]["used"]["active"] == "Peserta Aktif"
    assert FeedRow.objects.count() == 4 and AuditEvent.objects.get(action="import_feed").actor == admin_user


def test_cli_rejected_file_exits_1_with_every_row(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "feed", write_csv([HEADER, "16.06,,2024-03,PU,,,1", "16.99,,2024-03,PU,,,1",
                                              "16.06,,bulan lalu,PU,,,1"]), "--json")  # fmt: skip
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    report = json.loads(result.stdout)
    assert report["stored"] is False and report["rejected"] == 2
    assert [(i["row"], i["code"]) for i in report["issues"]] == [(3, "REGION_UNKNOWN"), (4, "MONTH_INVALID")]
    assert report["issues"][0]["message_en"].startswith("Region '16.99' is not known")
    assert not FeedRow.objects.exists()


def test_cli_human_report(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "feed", write_csv([HEADER, "16.06,,2024-03,PU,,,1", "16.06,,2024-03,PU,,,-4"]))
    assert result.exit_code == 1 and "Traceback" not in result.output
    text = flat(result.stdout)
    assert "REJECTED, nothing stored" in text and "COUNT_NEGATIVE" in text and "negatif" in text
    ok = cli("import", "feed", write_csv(CLEAN, "ok.csv"))
    assert ok.exit_code == 0 and "feed #" in flat(ok.stdout) and "diterima/accepted 4" in flat(ok.stdout)


def test_cli_dry_run(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    result = cli("import", "feed", write_csv(CLEAN), "--dry-run", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["dry_run"] is True
    assert not FeedRow.objects.exists()


def test_cli_refusals(cli: Callable[..., Result], write_csv: Callable[..., Path], desa_user: Any,
                      tmp_path: Path) -> None:  # fmt: skip
    refused = cli("import", "feed", write_csv(CLEAN), "--json", "--user", desa_user.username)
    assert refused.exit_code == 1 and json.loads(refused.stdout)["error"]["code"] == "REFUSED"
    missing = cli("import", "feed", tmp_path / "none.csv")
    assert missing.exit_code == 1 and "file not found" in flat(missing.stderr)
    bad = cli("import", "feed", write_csv(["a,b", "1,2"], "bad.csv"), "--json")
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["code"] == "FILE_NO_HEADER"
    assert cli("import", "feed").exit_code == 2  # usage: no file
    assert cli("import", "feed", write_csv(CLEAN), "--nope").exit_code == 2


# ---------------------------------------------------------------- API


def upload(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("feed.csv", "\n".join(lines).encode(), content_type="text/csv")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_upload(kab_user: Any) -> None:
    client = logged_in(kab_user)
    ok = client.post("/api/v1/imports/feed", {"file": upload([HEADER, "16.06,,2024-03,PU,,,1.000"])})
    assert ok.status_code == 200, ok.content
    assert ok.json()["stored"] is True and FeedRow.objects.get().active == 1000
    event = AuditEvent.objects.get(action="import_feed")
    assert event.actor == kab_user and event.region_code == "16.06"
    rejected = client.post("/api/v1/imports/feed", {"file": upload([HEADER, "16.71,,2024-03,PU,,,5"])})
    assert rejected.status_code == 422 and rejected.json()["issues"][0]["code"] == "REGION_OUTSIDE"
    dry = client.post("/api/v1/imports/feed", {"file": upload([HEADER, "16.06,,2024-03,PU,,,7"]), "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["replaced"] == 1 and FeedRow.objects.get().active == 1000
    bad = client.post("/api/v1/imports/feed", {"file": upload(["x,y", "1,2"])})
    assert bad.status_code == 400 and bad.json()["code"] == "FILE_NO_HEADER"


@pytest.mark.parametrize(("role", "region"), [("desa", "16.06.01.2001"), ("viewer", "16")])
def test_api_refuses_roles_without_the_right(make_user: Callable[..., Any], role: str, region: str) -> None:
    response = logged_in(make_user(role, region)).post("/api/v1/imports/feed", {"file": upload(CLEAN)})
    assert response.status_code == 403 and not FeedRow.objects.exists()


def test_api_needs_authentication() -> None:
    assert Client().post("/api/v1/imports/feed", {"file": upload(CLEAN)}).status_code == 401
