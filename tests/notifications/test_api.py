"""The bell over the API: the caller's own notifications, in their language, marked read one by one or all at
once; another user's is not found; anonymous callers are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ucj.accounts.models import ApiToken
from ucj.notifications import services

pytestmark = pytest.mark.django_db


def token_client(user: Any, language: str = "id") -> Client:
    _, token = ApiToken.issue(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.cookies["django_language"] = language  # the site's language choice; never the browser's guess
    return client


def test_list_and_mark_read_over_the_api(make_user: Callable[..., Any]) -> None:
    me, other = make_user("kabkota", "16.06"), make_user("kabkota", "16.06")
    first = services.notify(me, "report", "Laporan siap", "Report ready", "/laporan/1/")
    second = services.notify(me, "import", "Impor selesai", "Import finished", "/registri/impor/2/")
    theirs = services.notify(other, "import", "Impor mereka", "Their import", "/registri/impor/3/")
    assert first and second and theirs
    client = token_client(me, "en")

    listed = client.get("/api/v1/notifications").json()
    assert listed["unread"] == 2
    assert [(n["id"], n["message"], n["message_id"]) for n in listed["notifications"]] == [
        (second.pk, "Import finished", "Impor selesai"), (first.pk, "Report ready", "Laporan siap")]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{first.pk}/read").json() == {"marked": 1}
    assert [n["id"] for n in client.get("/api/v1/notifications?unread=true").json()["notifications"]] == [second.pk]
    assert client.post("/api/v1/notifications/read").json() == {"marked": 1}
    assert client.get("/api/v1/notifications").json()["unread"] == 0
    assert services.unread_count(other) == 1  # untouched


def test_the_api_wants_authentication() -> None:
    assert Client().get("/api/v1/notifications").status_code == 401
    assert Client().post("/api/v1/notifications/read").status_code == 401
