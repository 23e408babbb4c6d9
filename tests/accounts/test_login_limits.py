"""Login limits (issue 11 point 15): a per-account limit across addresses (``UCJ_LOGIN_ACCOUNT_LIMIT``) beside
the per-account-and-address limit, and the real client address behind a trusted reverse proxy
(``UCJ_TRUSTED_PROXIES``) — while a forged ``X-Forwarded-For`` from anyone else changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from tests.accounts.conftest import SUKARAMI
from tests.conftest import DEMO_PASSWORD
from ucj.accounts.clientip import client_ip
from ucj.accounts.models import AuditEvent

LOGIN = "/akun/masuk/"
pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, **headers: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


def locked(response: Any) -> bool:
    return response.status_code == 429


def test_twenty_failures_from_five_addresses_lock_the_account(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="sasaran")
    answers = []
    for n in range(20):  # 4 failures from each of 5 addresses: never 5 from one address
        answers.append(attempt(Client(REMOTE_ADDR=f"10.1.0.{n % 5 + 1}"), "sasaran", "tebakan-salah"))
    assert any(locked(a) for a in answers)
    first_lock = next(i for i, a in enumerate(answers) if locked(a))
    assert first_lock == 9  # the 10th failure across addresses locks (UCJ_LOGIN_ACCOUNT_LIMIT = 10)
    # the right password from a sixth address is refused while the account is locked
    assert locked(attempt(Client(REMOTE_ADDR="10.1.0.99"), "sasaran", DEMO_PASSWORD))
    assert not AuditEvent.objects.filter(action="login").exists()


def test_below_the_account_limit_other_addresses_still_log_in(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="pemilik")
    for n in range(9):
        attempt(Client(REMOTE_ADDR=f"10.2.0.{n % 3 + 1}"), "pemilik", "tebakan-salah")
    assert attempt(Client(REMOTE_ADDR="10.2.0.50"), "pemilik", DEMO_PASSWORD).status_code == 302


@override_settings(UCJ_LOGIN_ACCOUNT_LIMIT=3)
def test_the_account_limit_is_a_setting(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="ketat")
    answers = [attempt(Client(REMOTE_ADDR=f"10.3.0.{n}"), "ketat", "salah-lagi") for n in range(1, 4)]
    assert [locked(a) for a in answers] == [False, False, True]


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="korban")
    client = Client(REMOTE_ADDR="10.4.0.1")
    answers = [attempt(client, "korban", "salah", X_FORWARDED_FOR=f"172.16.0.{n}") for n in range(5)]
    assert locked(answers[-1])  # five failures from one real address, whatever the header claims


@override_settings(UCJ_TRUSTED_PROXIES=["10.0.0.2"])
def test_behind_the_trusted_proxy_the_client_address_is_used(make_user: Callable[..., Any]) -> None:
    make_user("desa", SUKARAMI, username="operator")
    proxy = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the reverse proxy
    for _ in range(5):
        last = attempt(proxy, "operator", "salah", X_FORWARDED_FOR="203.0.113.7")
    assert locked(last)
    # another client behind the same proxy is not locked out by the first one's failures
    assert attempt(proxy, "operator", DEMO_PASSWORD, X_FORWARDED_FOR="198.51.100.4").status_code == 302
    event = AuditEvent.objects.filter(action="login").latest("at")
    assert event.address == "198.51.100.4"  # the audit trail records the real client too


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.2", "203.0.113.7", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (["10.0.0.2"], "10.0.0.9", "203.0.113.7", "10.0.0.9"),  # not from the proxy: ignored
        (["10.0.0.2"], "10.0.0.2", "203.0.113.7", "203.0.113.7"),
        (["10.0.0.2"], "10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # a client-sent value on the left
        (["10.0.0.0/24"], "10.0.0.2", "203.0.113.7, 10.0.0.3", "203.0.113.7"),  # two proxies in the network
        (["10.0.0.2"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_client_ip(trusted: list[str], remote: str, forwarded: str, expected: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(UCJ_TRUSTED_PROXIES=trusted):
        assert client_ip(request) == expected
