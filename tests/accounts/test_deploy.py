"""Production settings (``manage.py check --deploy``) and the security headers of every kind of answer."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.accounts.conftest import World
from tests.conftest import DEMO_PASSWORD


def _run(tmp_path: Path, args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UCJ_", "DJANGO_", "DATABASE_URL"))}
    env.update(UCJ_PRODUCTION="1", UCJ_ALLOWED_HOSTS="ucj.example.go.id", UCJ_DATA_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")  # fmt: skip
    env.update(extra)
    env = {k: v for k, v in env.items() if v != ""}  # extra KEY="" removes KEY
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)  # fmt: skip


def check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return _run(tmp_path, ["-m", "django", "check", "--deploy", "--fail-level", "WARNING", "--settings=ucj.settings"],
                **extra)  # fmt: skip


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, UCJ_SECRET_KEY=secrets.token_urlsafe(45)[:60])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    assert "UCJ_PRODUCTION=1 needs UCJ_SECRET_KEY in the environment" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key invented on disk either


def test_check_deploy_flags_a_weak_key_and_missing_hosts(tmp_path: Path) -> None:
    weak = check_deploy(tmp_path, UCJ_SECRET_KEY="kunci-pendek")
    assert weak.returncode != 0 and "security.W009" in weak.stdout + weak.stderr
    no_hosts = check_deploy(tmp_path, UCJ_SECRET_KEY=secrets.token_urlsafe(45)[:60], UCJ_ALLOWED_HOSTS="")
    assert no_hosts.returncode != 0 and "security.W020" in no_hosts.stdout + no_hosts.stderr


def test_production_ignores_debug_and_secures_cookies(tmp_path: Path) -> None:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
            "s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS)")  # fmt: skip
    result = _run(tmp_path, ["-c", code], UCJ_SECRET_KEY=secrets.token_urlsafe(45)[:60], UCJ_DEBUG="1",
                  DJANGO_SETTINGS_MODULE="ucj.settings")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True ['ucj.example.go.id']"


# --- headers --------------------------------------------------------------------------------------------------

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'"


def assert_security_headers(response: Any, *, csp: str = STRICT_CSP) -> None:
    assert csp in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    ["/", "/registri/", "/registri/impor/", "/registri/impor/unggah/", "/api/v1/participants", "/akun/masuk/"],
)
def test_pages_and_api_carry_security_headers(world: World, client_for: Callable[[str], Client], path: str) -> None:
    response = client_for("desa").get(path)
    assert response.status_code == 200
    assert_security_headers(response)


def test_detail_and_error_answers_carry_security_headers(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    assert_security_headers(client.get(f"/registri/peserta/{world.own.public_hex}/"))
    assert_security_headers(client.get(f"/registri/peserta/{world.other.public_hex}/"))  # 404
    assert_security_headers(client_for("viewer").get("/registri/impor/unggah/"))  # 403
    assert_security_headers(client_for("anon").get("/"))  # redirect to the login page
    assert_security_headers(client_for("anon").get("/api/v1/participants"))  # 401


def test_only_the_api_docs_and_admin_relax_the_script_policy(client_for: Callable[[str], Client]) -> None:
    docs = client_for("viewer").get("/api/v1/docs")
    assert docs.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert docs["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client_for("viewer").get("/")["Content-Security-Policy"]


def test_pages_load_nothing_from_other_sites(world: World, client_for: Callable[[str], Client]) -> None:
    import re

    body = client_for("desa").get("/registri/").content.decode()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', body)  # no CDN: scripts and styles are local
    assert "<script>" not in body  # no inline script (the CSP would block it)


def test_session_and_csrf_cookies(make_user: Callable[..., Any]) -> None:
    make_user("desa", "16.06.01.2001", username="kuki")
    client = Client()
    client.get("/akun/masuk/")
    response = client.post("/akun/masuk/", {"username": "kuki", "password": DEMO_PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert 0 < int(session["max-age"]) <= 8 * 3600
    assert client.cookies["csrftoken"]["samesite"] == "Lax"


def test_login_form_requires_csrf(make_user: Callable[..., Any]) -> None:
    make_user("desa", "16.06.01.2001", username="csrf-korban")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/akun/masuk/", {"username": "csrf-korban", "password": DEMO_PASSWORD})
    assert response.status_code == 403 and "_auth_user_id" not in client.session
