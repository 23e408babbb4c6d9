"""API tokens (issue 11 points 14 and 16): an expiry (``UCJ_TOKEN_DAYS``), ``ucj users token NAME --revoke-all``,
tokens listed per user (CLI and admin, never the secret), and ``last_used_at`` written at most once a minute."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from typer.testing import CliRunner, Result

from ucj.accounts.models import ApiToken, AuditEvent
from ucj.cli.main import app

pytestmark = pytest.mark.django_db
API = "/api/v1/bills"


@pytest.fixture
def cli(db: Any) -> Callable[..., Result]:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def call(token: str) -> int:
    return Client().get(API, headers={"authorization": f"Bearer {token}"}).status_code


def test_a_token_expires_after_the_setting(make_user: Callable[..., Any]) -> None:
    user = make_user("desa", "16.06.01.2001")
    with override_settings(UCJ_TOKEN_DAYS=5):
        row, token = ApiToken.issue(user)
    assert row.expires_at is not None
    assert abs(row.expires_at - (row.created_at + dt.timedelta(days=5))) < dt.timedelta(seconds=5)
    assert call(token) == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert call(token) == 401


def test_the_default_expiry_is_90_days(make_user: Callable[..., Any]) -> None:
    row, _ = ApiToken.issue(make_user("viewer", "16"))
    assert row.expires_at is not None
    assert abs(row.expires_at - row.created_at - dt.timedelta(days=90)) < dt.timedelta(seconds=5)


def test_last_use_is_written_at_most_once_a_minute(make_user: Callable[..., Any]) -> None:
    row, token = ApiToken.issue(make_user("viewer", "16"))
    assert call(token) == 200
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        assert call(token) == 200
    writes = [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"] and "apitoken" in q["sql"].lower()]
    assert writes == []  # the second request within the minute does not write
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    assert call(token) == 200
    assert ApiToken.objects.get(pk=row.pk).last_used_at > first - dt.timedelta(minutes=1)


def test_revoke_all_tokens_of_a_user(cli: Callable[..., Result], make_user: Callable[..., Any]) -> None:
    user = make_user("desa", "16.06.01.2001", username="op-revoke")
    other = make_user("desa", "16.06.01.2001", username="op-keep")
    tokens = [ApiToken.issue(user)[1] for _ in range(3)]
    _, kept = ApiToken.issue(other)
    result = cli("users", "token", "op-revoke", "--revoke-all")
    assert result.exit_code == 0, result.output
    assert "3" in result.stdout
    assert [call(t) for t in tokens] == [401, 401, 401]
    assert call(kept) == 200
    event = AuditEvent.objects.get(action="token_revoked")
    assert event.object_id == str(user.pk) and "3" in event.summary
    for token in tokens:
        assert token not in result.stdout and token[4:] not in event.summary


def test_tokens_are_listed_without_the_secret(cli: Callable[..., Result], make_user: Callable[..., Any]) -> None:
    user = make_user("kabkota", "16.06", username="dinas-x")
    row, token = ApiToken.issue(user, "skrip-rekap")
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    old, _ = ApiToken.issue(user, "lama")
    ApiToken.objects.filter(pk=old.pk).update(revoked=True)
    for args in (("users", "tokens", "dinas-x", "--json"), ("users", "token", "dinas-x", "--list", "--json")):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        listed = json.loads(result.stdout)
        assert [t["name"] for t in listed] == ["lama", "skrip-rekap"] or [t["name"] for t in listed] == [
            "skrip-rekap", "lama"]  # fmt: skip
        by_name = {t["name"]: t for t in listed}
        assert by_name["skrip-rekap"]["prefix"] == row.prefix
        assert by_name["skrip-rekap"]["state"] == "aktif" and by_name["lama"]["state"] == "dicabut"
        assert {"created_at", "last_used_at", "expires_at"} <= set(by_name["skrip-rekap"])
        assert by_name["skrip-rekap"]["last_used_at"] is not None
        assert token not in result.stdout and row.digest not in result.stdout
    table = cli("users", "tokens", "dinas-x")
    assert table.exit_code == 0 and row.prefix in table.stdout and token not in table.stdout
    assert ApiToken.objects.filter(user=user).count() == 2  # listing creates nothing


def test_the_admin_lists_tokens_with_expiry_and_never_the_digest(admin_user: Any,
                                                                  make_user: Callable[..., Any]) -> None:  # fmt: skip
    row, token = ApiToken.issue(make_user("viewer", "16"), "laporan")
    client = Client()
    client.force_login(admin_user)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert row.prefix in listing and "Kedaluwarsa" in listing
    page = client.get(f"/admin/accounts/apitoken/{row.pk}/change/").content.decode()
    assert row.digest not in page and token not in page
