"""The BPJS officer loads the participation feed in the browser (issue 16 item 2): checked first, stored on
"save", listed under imports with its findings, and every feed figure says which file and month it comes from."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, timezone, translation

from ucj.coverage.models import FeedBatch, FeedRow

HEADER = "Kode Wilayah,Kabupaten/Kota,Bulan,Segmen,Ekosistem,Pembayar,Peserta Aktif"
CLEAN = [HEADER, "16.06,Musi Banyuasin,2024-12,PU,,,12.345", "16.71,Kota Palembang,2024-12,BPU,,,2.000"]


@pytest.fixture
def bpjs(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user("bpjs", "16"))
    return client


def send(client: Client, lines: list[str], name: str = "umpan-des-2024.csv") -> Any:
    return client.post("/cakupan/umpan/", {"file": SimpleUploadedFile(name, "\n".join(lines).encode())})


def token_of(body: str) -> str:
    match = re.search(r'name="token" value="([^"]*)"', body)
    assert match is not None
    return match.group(1)


def test_only_coverage_writers_may_load(make_user: Callable[..., Any], bpjs: Client) -> None:
    assert bpjs.get("/cakupan/umpan/").status_code == 200
    for role, region in (("viewer", "16"), ("desa", "16.06.01.2001")):
        client = Client()
        client.force_login(make_user(role, region))
        assert client.get("/cakupan/umpan/").status_code == 403
        assert "Muat umpan BPJS" not in client.get("/registri/impor/").content.decode()
    assert "Muat umpan BPJS" in bpjs.get("/registri/impor/").content.decode()


def test_checked_first_then_stored_on_save(bpjs: Client) -> None:
    preview = send(bpjs, CLEAN)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Periksa umpan sebelum disimpan" in body and "2024-12" in body
    assert re.findall(r'<div class="value[^"]*">([\d.]+)</div>', body) == ["2", "2", "0", "0"]
    assert not FeedBatch.objects.exists() and not FeedRow.objects.exists()
    saved = bpjs.post("/cakupan/umpan/", {"token": token_of(body), "save": "1"})
    batch = FeedBatch.objects.get()
    assert saved["Location"] == f"/cakupan/umpan/{batch.pk}/"
    assert (batch.file_name, batch.months, batch.accepted, FeedRow.objects.count()) == (
        "umpan-des-2024.csv", ["2024-12"], 2, 2)  # fmt: skip
    detail = bpjs.get(saved["Location"]).content.decode()
    assert "umpan-des-2024.csv" in detail and "2024-12" in detail


def test_a_rejected_row_stores_nothing_and_offers_no_save(bpjs: Client) -> None:
    body = send(bpjs, [*CLEAN, '16.06,,2024-11,PU,,,"12,5"']).content.decode()
    assert 'name="save"' not in body and token_of(body) == ""
    assert "<td class=\"num\">4</td>" in body and "tidak dapat dimuat" in body
    assert bpjs.post("/cakupan/umpan/", {"token": "", "save": "1"}).status_code == 302
    assert not FeedBatch.objects.exists()


def test_feed_loads_are_listed_under_imports_with_their_findings(bpjs: Client) -> None:
    from ucj.coverage.feeds import import_feed

    lines = [*CLEAN, ",Jumlah,2024-12,PU,,,14.345"]  # a totals row: skipped with a finding
    report = import_feed("\n".join(lines).encode(), "umpan.csv")
    assert report.stored and report.findings
    batch = FeedBatch.objects.get()
    assert [f["code"] for f in batch.findings] == [f.code for f in report.findings]
    imports = bpjs.get("/registri/impor/").content.decode()
    assert f'href="/cakupan/umpan/{batch.pk}/"' in imports and "umpan.csv" in imports
    detail = bpjs.get(f"/cakupan/umpan/{batch.pk}/").content.decode()
    assert escape(report.findings[0].message("id")) in detail  # "Baris total 'Jumlah' dilewati."


def test_feed_figures_name_their_file_and_month(bpjs: Client) -> None:
    token = token_of(send(bpjs, CLEAN).content.decode())
    bpjs.post("/cakupan/umpan/", {"token": token, "save": "1"})
    batch = FeedBatch.objects.get()
    with translation.override("id"):
        loaded = formats.date_format(timezone.localtime(batch.created_at), "j M Y")  # the page's day, in Jakarta
    body = bpjs.get("/cakupan/?region=16&as_of=2024-12").content.decode()
    assert f"umpan BPJS s.d. Desember 2024, dimuat {loaded}" in body and "umpan-des-2024.csv" in body
    assert "sekarang" not in body.lower()
    later = bpjs.get("/cakupan/?region=16&as_of=2025-01").content.decode()  # no feed that month
    assert "umpan BPJS s.d." not in later and "Tercakup per 2025-01" in later
