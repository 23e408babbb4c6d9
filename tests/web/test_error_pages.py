"""Issue 16 item 1: only what a role may do is shown, and refusals are branded pages in the user's language
with a way back (403, 404, 500), logged as one line without a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory

from ucj.registry.models import ImportBatch, Participant

SUKARAMI = "16.06.01.2001"


def client_of(user: Any, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


@pytest.fixture
def rejected_batch(db: Any) -> ImportBatch:
    return ImportBatch.objects.create(file_name="sukarami.csv", sha256="0" * 64, region_id=SUKARAMI, status="done",
                                      rows=3, accepted=2, rejected=1)  # fmt: skip


def test_viewer_sees_no_upload_and_no_rejected_rows_download(
    viewer_user: Any, desa_user: Any, rejected_batch: ImportBatch
) -> None:
    viewer, operator = client_of(viewer_user), client_of(desa_user)
    for url in ("/registri/impor/", "/"):
        assert "Unggah daftar" not in viewer.get(url).content.decode(), url
        assert "Unggah daftar" in operator.get(url).content.decode(), url
    page = f"/registri/impor/{rejected_batch.pk}/"
    assert "Unduh baris ditolak" not in viewer.get(page).content.decode()
    assert "Unduh baris ditolak" in operator.get(page).content.decode()
    assert viewer.get(f"{page}ditolak.xlsx").status_code == 403  # the action itself stays refused


@pytest.mark.parametrize(("language", "heading", "back"), [
    ("id", "Halaman tidak ditemukan", "Ke beranda"),
    ("en", "Page not found", "To the home page"),
])  # fmt: skip
def test_404_is_branded_in_the_users_language(desa_user: Any, language: str, heading: str, back: str) -> None:
    other = Participant.objects.create(nik="1671011505850003", name="Budi", desa_id="16.71.01.1001")
    response = client_of(desa_user, language).get(f"/registri/peserta/{other.public_hex}/")
    body = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in body and heading in body and back in body
    assert 'href="/"' in body and "Budi" not in body


def test_403_is_branded_with_a_way_back_to_the_previous_page(viewer_user: Any) -> None:
    response = client_of(viewer_user).get("/registri/impor/unggah/", HTTP_REFERER="http://testserver/registri/")
    body = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="id">' in body and "Anda tidak berhak membuka halaman ini" in body
    assert 'href="http://testserver/registri/"' in body  # back where the user came from
    foreign = client_of(viewer_user).get("/registri/impor/unggah/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in foreign.content.decode()  # never a link off the site


def test_api_refusals_stay_json(viewer_user: Any) -> None:
    response = client_of(viewer_user).get("/api/v1/tidak-ada")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_500_is_branded_and_the_busy_database_still_answers_503(db: Any) -> None:
    import sqlite3

    from django.utils import translation

    from ucj.web.views import server_error

    request = RequestFactory().get("/registri/")
    with translation.override("en"):
        try:
            raise ValueError("boom")
        except ValueError:
            response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and '<html lang="en">' in body and "To the home page" in body
    assert "boom" not in body and "Traceback" not in body
    try:
        raise sqlite3.OperationalError("database is locked")
    except sqlite3.OperationalError:
        busy = server_error(request)
    assert busy.status_code == 503 and busy["Retry-After"]


def test_403_and_404_are_logged_without_traceback(viewer_user: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = client_of(viewer_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/registri/impor/unggah/").status_code == 403  # PermissionDenied in the view
        assert client.get("/registri/konflik/").status_code == 403  # the trust pages refuse viewers
        assert client.get("/registri/impor/999999/").status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert {r.status_code for r in records} >= {403, 404}  # type: ignore[attr-defined]
    assert all(r.exc_info is None and not r.exc_text for r in records)


def test_compare_with_nothing_ticked_goes_back_with_a_message(make_user: Callable[..., Any]) -> None:
    client = client_of(make_user("provinsi", "16"))
    response = client.get("/rencana/banding/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/rencana/")
    assert "Centang paling sedikit satu skenario" in response.content.decode()
    plans = client.get("/rencana/").content.decode()
    assert "Belum ada skenario tersimpan" in plans or 'data-needs-checked="ids"' in plans
    assert client.get("/rencana/banding/?ids=999999").status_code == 404  # unknown ids stay a 404
