"""Login throttling (django-axes: 5 failures per username and address lock for 15 minutes) and password
strength."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import SUKARAMI
from tests.conftest import DEMO_PASSWORD
from ucj.accounts.models import AuditEvent

LOGIN = "/akun/masuk/"


def attempt(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def assert_locked(response: Any) -> None:
    assert response.status_code == 429
    assert "accounts/locked.html" in [t.name for t in response.templates]
    assert "Terlalu banyak percobaan" in response.content.decode()


def test_five_failures_lock_out_even_the_right_password(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="target")
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(4):
        failed = attempt(client, "target", "tebakan-salah")
        assert failed.status_code == 200 and "Nama pengguna atau kata sandi salah" in failed.content.decode()
    assert_locked(attempt(client, "target", "tebakan-salah"))  # the fifth failure locks
    sixth = attempt(client, "target", DEMO_PASSWORD)
    assert_locked(sixth)
    assert "_auth_user_id" not in client.session  # not logged in
    assert client.get("/")["Location"].startswith(LOGIN)
    assert AuditEvent.objects.filter(action="login").count() == 0
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5


def test_lockout_is_per_username_and_address(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="target")
    make_user("desa", SUKARAMI, username="colleague")
    attacker = Client(REMOTE_ADDR="10.9.9.10")
    for _ in range(5):
        attempt(attacker, "target", "tebakan-salah")
    assert_locked(attempt(attacker, "target", DEMO_PASSWORD))
    assert attempt(attacker, "colleague", DEMO_PASSWORD).status_code == 302  # other user, same address
    owner = Client(REMOTE_ADDR="10.20.30.40")
    assert attempt(owner, "target", DEMO_PASSWORD).status_code == 302  # the owner elsewhere is not locked out


def test_failures_on_the_admin_login_count_too(make_user: Callable[..., Any]) -> None:
    make_user("admin", username="kepala")
    client = Client(REMOTE_ADDR="10.9.9.11")
    for _ in range(5):
        client.post("/admin/login/", {"username": "kepala", "password": "tebakan-salah"})
    assert_locked(attempt(client, "kepala", DEMO_PASSWORD))


def test_success_before_the_limit_resets_the_count(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="pelupa")
    client = Client(REMOTE_ADDR="10.9.9.8")
    for _ in range(4):
        attempt(client, "pelupa", "salah-lagi")
    assert attempt(client, "pelupa", DEMO_PASSWORD).status_code == 302
    client.post("/akun/keluar/")
    for _ in range(4):
        assert attempt(client, "pelupa", "salah-lagi").status_code == 200
    assert attempt(client, "pelupa", DEMO_PASSWORD).status_code == 302  # 8 failures in all, never 5 in a row


def test_lockout_ends_after_the_cool_off(make_user: Callable[..., Any]) -> None:
    from axes.models import AccessAttempt

    make_user("desa", SUKARAMI, username="sabar")
    client = Client(REMOTE_ADDR="10.9.9.12")
    for _ in range(5):
        attempt(client, "sabar", "salah-lagi")
    assert_locked(attempt(client, "sabar", DEMO_PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "sabar", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["pendek", "password123", "1234567890123", "qwertyuiop", "operator-desa-1"])
def test_weak_passwords_are_refused(password: str) -> None:
    from django.contrib.auth import get_user_model

    from ucj.accounts.services import create_user

    with pytest.raises(ValidationError):
        create_user("operator-desa-1", role="viewer", region="16", password=password)
    assert not get_user_model().objects.filter(username="operator-desa-1").exists()  # nothing half-made


@pytest.mark.django_db
def test_a_strong_password_is_accepted() -> None:
    from ucj.accounts.services import create_user

    user = create_user("operator-desa-2", role="desa", region=SUKARAMI, password="Sukarami-Data-2025")
    assert user.check_password("Sukarami-Data-2025")
