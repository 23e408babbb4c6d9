"""The calculator page (``/iuran/``) and the rules table (``/iuran/aturan/``): login, the example, languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
PAGE = "/iuran/"
RULES = "/iuran/aturan/"
PU_EXAMPLE = {"segment": "PU", "wage": "5000000", "risk_class": "2", "month": "2024-03", "payer": "employer",
              "sector": "other"}  # fmt: skip


@pytest.fixture
def client(make_user: Callable[..., Any]) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # the browser's language is not used: Indonesian first
    c.force_login(make_user("desa", "16.06.01.2001"))
    return c


def text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("path", [PAGE, RULES, PAGE + "?segment=PU&wage=5000000"])
def test_login_required(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=")


def test_empty_form(client: Client) -> None:
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["breakdown"] is None
    assert 'type="month"' in body and 'name="programs"' in body and 'name="jkp"' in body
    assert "Kalkulator iuran" in body and "<script>" not in body and "style=" not in body
    assert 'href="/iuran/"' in body  # the nav link


def test_the_pu_example_in_indonesian(client: Client) -> None:
    response = client.get(PAGE, PU_EXAMPLE)
    assert response.status_code == 200
    page = text(response)
    assert '<html lang="id">' in response.content.decode()
    for word in ("27.000", "15.000", "185.000", "100.000", "50.000", "327.000", "150.000", "477.000",
                 "PU.JKK/2@2015-07-01", "PU.JP.CEILING@2024-03-01", "PP 44/2015", "PP 45/2015 Pasal 28",
                 "Dibayar pemberi kerja", "Total iuran", "Dasar hukum"):  # fmt: skip
        assert word in page, word
    b = response.context["breakdown"]
    assert (b.total, b.employer_total, b.worker_total) == (477_000, 327_000, 150_000)


def test_english_by_choice(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get(PAGE, PU_EXAMPLE))
    assert "Contribution calculator" in page and "Paid by the employer" in page and "477,000" in page
    assert "Dibayar pemberi kerja" not in page


def test_warnings_and_relief(client: Client) -> None:
    page = text(client.get(PAGE, {"segment": "BPU", "wage": "3000000", "month": "2026-05", "payer": "mandiri",
                                  "sector": "other", "risk_class": "1"}))  # fmt: skip
    assert "BPU.BAND" in page and "Dihitung dari penghasilan yang dilaporkan" in page and "ucj rules load" in page
    assert "computed on the declared income" not in page
    relief = client.get(PAGE, {"segment": "BPU", "wage": "1000000", "month": "2026-05", "payer": "mandiri",
                               "sector": "other", "risk_class": "1"})  # fmt: skip
    assert relief.context["breakdown"].total == 8_400 and "RELIEF.PP50-2025/other@2026-04-01" in text(relief)


@pytest.mark.parametrize(("params", "total"), [
    ({"segment": "BPU", "wage": "1000000", "month": "2024-03", "programs": ["JKK", "JKM", "JHT"]}, 36_800),
    ({"segment": "BPU", "wage": "1000000", "month": "2026-05", "payer": "apbd_kabkota"}, 16_800),
    ({"segment": "JAKON", "contract_value": "2000000000", "month": "2024-03"}, 2_950_000),
    ({"segment": "PMI", "contract_months": "12", "month": "2024-03"}, 37_500 + 189_000),
    ({"segment": "PMI", "contract_months": "12", "month": "2024-03", "no_pre_placement": "on"}, 189_000),
    ({"segment": "PU", "wage": "5000000", "risk_class": "2", "month": "2023-11", "jkp": "on"}, 488_000),
])  # fmt: skip
def test_segments(client: Client, params: dict[str, Any], total: int) -> None:
    data = {"payer": "mandiri", "sector": "other", "risk_class": "1", **params}
    response = client.get(PAGE, data)
    assert response.context["form"].errors == {}
    assert response.context["breakdown"].total == total


@pytest.mark.parametrize(("params", "indonesian", "english"), [
    ({"month": "2027-03"}, "Tidak ada aturan PU.JP.CEILING", "no PU.JP.CEILING rule in force"),
    ({"month": "Maret"}, "Bulan harus berformat TTTT-BB", "The month must be YYYY-MM"),
    ({"wage": ""}, "Upah wajib diisi", "The wage is required"),
    ({"segment": "BPU", "programs": ["JP"], "payer": "mandiri"}, "tidak tersedia untuk BPU", "not available to BPU"),
])  # fmt: skip
def test_errors_next_to_the_form_in_the_users_language(client: Client, params: dict[str, Any], indonesian: str,
                                                       english: str) -> None:  # fmt: skip
    data = {**PU_EXAMPLE, **params}
    response = client.get(PAGE, data)
    assert response.status_code == 200 and response.context["breakdown"] is None
    assert indonesian in text(response) and english not in text(response)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(PAGE, data)
    assert english in text(response) and indonesian not in text(response)


def test_rules_table(client: Client) -> None:
    response = client.get(RULES)
    page = text(response)
    assert response.status_code == 200
    for word in ("PU.JKK/1@2015-07-01", "PU.JP.CEILING@2021-03-01", "8.754.600", "PP 45/2015 Pasal 29",
                 "batas turun", "RELIEF.PP49-2020@2020-08-01", "Dasar hukum"):  # fmt: skip
        assert word in page, word
    march = text(client.get(RULES, {"month": "2024-03", "code": "PU.JP.CEILING"}))
    assert "PU.JP.CEILING@2024-03-01" in march and "10.042.300" in march and "PU.JP.CEILING@2023-03-01" not in march
    assert len(client.get(RULES, {"month": "2024-03"}).context["rules"]) < len(response.context["rules"])
    bad = client.get(RULES, {"month": "bulan lalu"})
    assert bad.status_code == 200 and "Bulan harus berformat TTTT-BB" in text(bad)
    assert 'type="month"' in response.content.decode()
