"""The admin of contribution rules and village-role defaults: admin only, audited, checked like a rules file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from ucj.accounts.models import AuditEvent
from ucj.contributions.calculator import Inputs
from ucj.contributions.models import ContributionRule, RoleDefault
from ucj.contributions.rules import COLUMNS
from ucj.contributions.services import calculate_contribution

pytestmark = pytest.mark.django_db
RULES = "/admin/contributions/contributionrule/"
DEFAULTS = "/admin/contributions/roledefault/"


def form_data(row: ContributionRule, **change: str) -> dict[str, str]:
    data = {c: "" if getattr(row, c) is None else str(getattr(row, c)) for c in COLUMNS}
    return {**data, **change, "_save": "Save"}


def ceiling(year: int) -> ContributionRule:
    return ContributionRule.objects.get(code="PU.JP.CEILING", valid_from=dt.date(year, 3, 1))


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def staff_client(make_user: Callable[..., Any]) -> Client:
    """A staff account without the admin role that was (wrongly) given every model permission."""
    user = make_user("provinsi", "16")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="contributions"))
    client = Client()
    client.force_login(user)
    return client


def test_admin_sees_the_rules(admin_client: Client) -> None:
    response = admin_client.get(RULES)
    assert response.status_code == 200 and "PU.JP.CEILING" in response.content.decode()
    assert admin_client.get(f"{RULES}{ceiling(2024).pk}/change/").status_code == 200
    assert admin_client.get(DEFAULTS).status_code == 200


@pytest.mark.parametrize(("role", "region"), [("provinsi", "16"), ("desa", "16.06.01.2001"), ("viewer", "16")])
def test_other_roles_do_not_reach_the_admin(make_user: Callable[..., Any], role: str, region: str) -> None:
    client = Client()
    client.force_login(make_user(role, region))
    for path in (RULES, f"{RULES}{ceiling(2024).pk}/change/", f"{RULES}add/", DEFAULTS):
        assert client.get(path)["Location"].startswith("/admin/login/")
    row = ceiling(2024)
    client.post(f"{RULES}{row.pk}/change/", form_data(row, amount="1"))
    assert ceiling(2024).amount == 10_042_300


def test_staff_without_the_admin_role_cannot_change(staff_client: Client) -> None:
    row = ceiling(2024)
    page = staff_client.get(f"{RULES}{row.pk}/change/")
    assert page.status_code == 200 and 'name="amount"' not in page.content.decode()  # read-only view
    assert staff_client.post(f"{RULES}{row.pk}/change/", form_data(row, amount="1")).status_code == 403
    assert staff_client.get(f"{RULES}add/").status_code == 403
    assert staff_client.post(f"{RULES}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    default = RoleDefault.objects.first()
    assert default is not None
    assert staff_client.post(f"{DEFAULTS}{default.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ceiling(2024).amount == 10_042_300 and RoleDefault.objects.filter(pk=default.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="rules.").exists()


def test_admin_change_is_audited_and_applies_at_once(admin_client: Client, admin_user: Any) -> None:
    row = ceiling(2024)
    response = admin_client.post(f"{RULES}{row.pk}/change/", form_data(row, amount="10042400", note="dikoreksi"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ceiling(2024).amount == 10_042_400
    event = AuditEvent.objects.get(action="rules.update")
    assert event.object_id == "PU.JP.CEILING@2024-03-01" and event.actor_name == admin_user.username
    assert event.changes == {"amount": ["10042300", "10042400"], "note": ["PDB 2023 +5.05%", "dikoreksi"]}
    jp = calculate_contribution(Inputs("PU", dt.date(2024, 3, 1), wage=20_000_000)).components[3]
    assert jp.base == 10_042_400


def test_admin_add_and_delete_are_audited(admin_client: Client) -> None:
    data = {c: "" for c in COLUMNS}
    data.update(code="PU.JP.CEILING", valid_from="2027-03-01", valid_to="2028-02-29", amount="11600000",
                source="penetapan BPJS Ketenagakerjaan 2027", _save="Save")  # fmt: skip
    assert admin_client.post(f"{RULES}add/", data).status_code == 302
    added = ceiling(2027)
    event = AuditEvent.objects.get(action="rules.create")
    assert event.object_id == "PU.JP.CEILING@2027-03-01" and event.changes["amount"] == ["", "11600000"]
    assert calculate_contribution(Inputs("PU", dt.date(2027, 3, 1), wage=5_000_000)).total > 0

    assert admin_client.post(f"{RULES}{added.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ContributionRule.objects.filter(pk=added.pk).exists()
    deleted = AuditEvent.objects.get(action="rules.delete")
    assert deleted.object_id == "PU.JP.CEILING@2027-03-01" and deleted.changes["amount"] == ["11600000", ""]


def test_bulk_delete_is_audited_per_row(admin_client: Client) -> None:
    rows = list(ContributionRule.objects.filter(code="PMI.BAND"))
    response = admin_client.post(RULES, {"action": "delete_selected", "_selected_action": [r.pk for r in rows],
                                         "post": "yes"})  # fmt: skip
    assert response.status_code == 302
    assert not ContributionRule.objects.filter(code="PMI.BAND").exists()
    assert AuditEvent.objects.filter(action="rules.delete").count() == len(rows) == 3


def test_an_overlapping_change_is_refused_with_its_message(admin_client: Client) -> None:
    row = ceiling(2023)
    response = admin_client.post(f"{RULES}{row.pk}/change/", form_data(row, valid_to="2024-03-31"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "PU.JP.CEILING@2023-03-01 dan PU.JP.CEILING@2024-03-01 berlaku bersamaan / overlap in time" in body
    assert ceiling(2023).valid_to == dt.date(2024, 2, 29)
    assert not AuditEvent.objects.filter(action__startswith="rules.").exists()


def test_an_overlapping_addition_is_refused(admin_client: Client) -> None:
    data = {c: "" for c in COLUMNS}
    data.update(code="PU.JKM", valid_from="2030-01-01", rate_employer="0.25", source="uji", _save="Save")
    response = admin_client.post(f"{RULES}add/", data)
    assert response.status_code == 200 and "overlap in time" in response.content.decode()
    assert not ContributionRule.objects.filter(code="PU.JKM", valid_from="2030-01-01").exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"amount": ""}, "amount wajib diisi / required"),
    ({"code": "PU.XYZ"}, "bukan keluarga aturan yang dikenal / is not a known rule family"),
    ({"valid_to": "2020-01-01"}, "valid_to sebelum valid_from / valid_to is before valid_from"),
    ({"excluded_payers": "bank"}, "excluded_payers tidak dikenal / unknown: bank"),
])  # fmt: skip
def test_check_rule_messages_are_shown(admin_client: Client, change: dict[str, str], message: str) -> None:
    row = ceiling(2024)
    response = admin_client.post(f"{RULES}{row.pk}/change/", form_data(row, **change))
    assert response.status_code == 200 and message in response.content.decode()
    assert ceiling(2024).amount == 10_042_300


def test_role_default_change_is_audited(admin_client: Client) -> None:
    row = RoleDefault.objects.get(region__isnull=True, role="rt")
    data = {"region": "", "role": "rt", "segment": "BPU", "programs": "jkk, jkm, jht", "payer": "apbdes",
            "risk_class": "", "income": "1000000", "source": "Perbup uji", "_save": "Save"}  # fmt: skip
    response = admin_client.post(f"{DEFAULTS}{row.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.programs, row.payer) == ("JKK,JKM,JHT", "apbdes")
    event = AuditEvent.objects.get(action="role_default.update")
    assert event.changes["payer"] == ["apbd_kabkota", "apbdes"] and event.changes["programs"] == [
        "JKK,JKM",
        "JKK,JKM,JHT",
    ]

    bad = admin_client.post(f"{DEFAULTS}{row.pk}/change/", {**data, "programs": "JKK,XX", "risk_class": "9"})
    assert bad.status_code == 200 and "XX tidak dikenal" in bad.content.decode()
    assert "1-5" in bad.content.decode()

    assert admin_client.post(f"{DEFAULTS}{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.get(action="role_default.delete").changes["role"] == ["rt", ""]


def test_regional_role_default_is_audited_with_its_region(admin_client: Client) -> None:
    data = {"region": "16.06", "role": "rt", "segment": "BPU", "programs": "JKK,JKM", "payer": "apbd_kabkota",
            "risk_class": "", "income": "1000000", "source": "Perbup Muba", "_save": "Save"}  # fmt: skip
    assert admin_client.post(f"{DEFAULTS}add/", data).status_code == 302
    event = AuditEvent.objects.get(action="role_default.create")
    assert event.region_code == "16.06" and event.changes["region"] == ["", "16.06"]
