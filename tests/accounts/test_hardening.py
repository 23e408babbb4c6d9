"""Login throttling, password strength, security headers and production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import DEMO_PASSWORD


def test_locked_after_five_failures_even_with_the_right_password(make_user: Callable[..., Any]) -> None:
    make_user("desa", "16.06.01.2001", username="target")
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(4):
        assert client.post("/akun/masuk/", {"username": "target", "password": "tebakan"}).status_code == 200
    assert client.post("/akun/masuk/", {"username": "target", "password": "tebakan"}).status_code == 429
    locked = client.post("/akun/masuk/", {"username": "target", "password": DEMO_PASSWORD})
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.content.decode()


def test_success_before_the_limit_resets_the_count(make_user: Callable[..., Any]) -> None:
    make_user("desa", "16.06.01.2001", username="pelupa")
    client = Client(REMOTE_ADDR="10.9.9.8")
    for _ in range(4):
        client.post("/akun/masuk/", {"username": "pelupa", "password": "salah"})
    assert client.post("/akun/masuk/", {"username": "pelupa", "password": DEMO_PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post("/akun/masuk/", {"username": "pelupa", "password": "salah"})
    assert client.post("/akun/masuk/", {"username": "pelupa", "password": DEMO_PASSWORD}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["pendek", "password123", "1234567890123"])
def test_weak_passwords_are_refused(password: str) -> None:
    from ucj.accounts.services import create_user

    with pytest.raises(ValidationError):
        create_user("lemah", role="viewer", region="16", password=password)


def test_security_headers(client_for: Callable[[str], Client], world: Any) -> None:
    response = client_for("desa").get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def _check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UCJ_", "DJANGO_", "DATABASE_URL"))}
    env.update(UCJ_PRODUCTION="1", UCJ_ALLOWED_HOSTS="ucj.example.go.id", UCJ_DATA_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", **extra)  # fmt: skip
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--settings=ucj.settings"],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _check(tmp_path, UCJ_SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    result = _check(tmp_path)
    assert result.returncode != 0 and "UCJ_SECRET_KEY" in result.stderr
