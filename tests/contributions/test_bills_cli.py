"""``ucj contributions bill | pay | status``: JSON shape, the .xlsx, exit codes 0/1/2, no tracebacks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner, Result

from ucj.accounts.models import AuditEvent
from ucj.cli.main import app
from ucj.contributions.bills import create_bill
from ucj.contributions.models import Bill, Payment
from ucj.registry.models import Participant

pytestmark = pytest.mark.django_db
SUKARAMI = "16.06.01.2001"
MARCH = dt.date(2024, 3, 1)
SITI_NIK = "1606014101900012"


@pytest.fixture
def cli(db: Any) -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: object) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture
def siti(db: Any) -> Participant:
    """BPU, paid by the APBDes of Sukarami through February 2024: Rp 16.800 for March."""
    return Participant.objects.create(nik=SITI_NIK, name="Siti Aminah", desa_id=SUKARAMI, segment="BPU",
                                      payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(result: Result, exit_code: int = 1) -> str:
    """A clean refusal (typer.Exit, no traceback); returns the message."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return " ".join((result.stderr or result.stdout).split())


def bill_args(**options: str) -> list[str]:
    """``contributions bill`` with the APBDes of Sukarami for 2024-03, some options replaced."""
    values = {"payer": "apbdes", "region": SUKARAMI, "month": "2024-03", **options}
    return ["contributions", "bill", *[x for name, value in values.items() for x in (f"--{name}", value)]]


# ---------------------------------------------------------------- bill


def test_bill_as_json_with_the_workbook(cli: Callable[..., Result], siti: Participant, desa_user: Any,
                                        tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "tagihan.xlsx"
    data = ok_json(cli(*bill_args(), "--json", "--user", desa_user.username, "--out", out))
    bill = Bill.objects.get()
    assert {"id", "total", "program_totals", "tariffs", "notes"} <= set(data)
    assert (data["id"], data["payer"], data["region"], data["month"], data["status"]) == (
        bill.pk, "apbdes", SUKARAMI, "2024-03", "open")  # fmt: skip
    assert (data["total"], data["government_total"], data["participants"]) == (16_800, 16_800, 1)
    assert data["program_totals"] == {"JKK": 10_000, "JKM": 6_800, "JHT": 0, "JP": 0, "JKP": 0}
    assert data["tariffs"][0]["segment"] == "BPU" and data["notes"] == []
    assert bill.created_by == desa_user
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Rincian").to_python()
    assert rows[1][1:3] == [SITI_NIK, "Siti Aminah"]  # the desa operator sees her village in full
    export = AuditEvent.objects.get(action="bill.export")
    assert (export.actor, export.object_id, export.region_code) == (desa_user, str(bill.pk), SUKARAMI)
    assert SITI_NIK not in export.summary


def test_bill_as_a_table(cli: Callable[..., Result], siti: Participant) -> None:
    result = cli(*bill_args())
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "16,800" in text and "JKK" in text and "Jumlah / total" in text


def test_the_notes_are_printed(cli: Callable[..., Result], siti: Participant) -> None:
    Participant.objects.create(nik="1606014101900013", name="Tukang", desa_id=SUKARAMI, segment="JAKON",
                               payer="apbdes")  # fmt: skip
    data = ok_json(cli(*bill_args(), "--json"))
    assert [(n["code"], n["count"]) for n in data["notes"]] == [("PER_PROJECT", 1)]
    assert "JAKON" in " ".join(cli(*bill_args()).stdout.split())


@pytest.mark.parametrize(("options", "indonesian", "english"), [
    ({"month": "2024-13"}, "Bulan harus YYYY-MM", "the month must be YYYY-MM"),
    ({"month": "Maret"}, "Bulan harus YYYY-MM", "the month must be YYYY-MM"),
    ({"payer": "pemda"}, "Pembayar tidak dikenal", "unknown payer"),
    ({"payer": "apbd"}, "harus untuk satu kabupaten/kota", "is for one kab/kota"),  # apbd = apbd_kabkota
    ({"user": "tidak-ada"}, "Pengguna tidak dikenal", "unknown user"),
])  # fmt: skip
def test_bill_refusals_are_clean_and_bilingual(
    cli: Callable[..., Result], siti: Participant, options: dict[str, str], indonesian: str, english: str
) -> None:
    message = refused(cli(*bill_args(**options)))
    assert indonesian in message and english in message
    assert not Bill.objects.exists()


def test_bad_month_as_json(cli: Callable[..., Result], db: Any) -> None:
    result = cli(*bill_args(month="03-2024"), "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "BAD_MONTH" and "Bulan harus YYYY-MM / the month must be YYYY-MM" in error["message"]


def test_billing_outside_the_users_scope_is_refused(
    cli: Callable[..., Result], siti: Participant, make_user: Callable[..., Any]
) -> None:
    user = make_user("kabkota", "16.71")
    result = cli(*bill_args(), "--json", "--user", user.username)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "REFUSED"
    assert not Bill.objects.exists()


# ---------------------------------------------------------------- pay


def test_pay_a_bill(cli: Callable[..., Result], siti: Participant, desa_user: Any) -> None:
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    data = ok_json(cli("contributions", "pay", "--bill", bill.pk, "--user", desa_user.username, "--amount", 16_800,
                       "--paid-on", "2024-03-20", "--reference", "TRF-9", "--json"))  # fmt: skip
    payment = Payment.objects.get()
    assert data == {"payment": payment.pk, "paid_through": "2024-03-31", "amount": 16_800}
    assert (payment.paid_on, payment.reference, payment.recorded_by) == (dt.date(2024, 3, 20), "TRF-9", desa_user)
    assert Bill.objects.get(pk=bill.pk).status == "paid"
    assert Participant.objects.get(pk=siti.pk).paid_through == dt.date(2024, 3, 31)
    again = refused(cli("contributions", "pay", "--bill", bill.pk, "--user", desa_user.username))
    assert "sudah lunas / this bill is already paid" in again


def test_pay_one_participant(cli: Callable[..., Result], siti: Participant, desa_user: Any) -> None:
    result = cli("contributions", "pay", "--nik", SITI_NIK, "--through", "2024-04", "--amount", 33_600, "--user",
                 desa_user.username, "--paid-on", "2024-03-10")  # fmt: skip  # March and April
    assert result.exit_code == 0, result.output
    assert "2024-04-30" in result.stdout
    assert Participant.objects.get(pk=siti.pk).paid_through == dt.date(2024, 4, 30)


@pytest.mark.parametrize("args", [(), ("--bill", "1", "--nik", SITI_NIK), ("--nik", SITI_NIK),
                                  ("--nik", SITI_NIK, "--through", "2024-04")])  # fmt: skip
def test_pay_usage_errors_exit_2(
    cli: Callable[..., Result], siti: Participant, desa_user: Any, args: tuple[str, ...]
) -> None:
    message = refused(cli("contributions", "pay", *args, "--user", desa_user.username), exit_code=2)
    assert "--bill" in message or "--through" in message
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--bill", "999999"), "no such bill"),
    (("--nik", "1606014101909999", "--through", "2024-04", "--amount", "1"), "NIK not in the registry"),
    (("--bill", "1", "--paid-on", "20/03/2024"), "the date must be YYYY-MM-DD"),
])  # fmt: skip
def test_pay_refusals(
    cli: Callable[..., Result], siti: Participant, desa_user: Any, args: tuple[str, ...], message: str
) -> None:
    assert message in refused(cli("contributions", "pay", *args, "--user", desa_user.username))


def test_a_viewer_cannot_record_payments(cli: Callable[..., Result], siti: Participant, viewer_user: Any,
                                         desa_user: Any) -> None:  # fmt: skip
    bill = create_bill(desa_user, "apbdes", SUKARAMI, MARCH)
    assert "may not record payments" in refused(cli("contributions", "pay", "--bill", bill.pk, "--user",
                                                    viewer_user.username))  # fmt: skip
    assert Bill.objects.get(pk=bill.pk).status == "open"


# ---------------------------------------------------------------- status


def test_status_json(cli: Callable[..., Result], siti: Participant) -> None:
    data = ok_json(cli("contributions", "status", "--region", "16.06", "--as-of", "2024-04-15", "--json"))
    assert (data["region"], data["as_of"], data["lapse_months"], data["active_since"]) == (
        "16.06", "2024-04-15", 3, "2024-02-01")  # fmt: skip
    assert (data["active"], data["inactive"]) == (1, 0)
    assert data["rows"] == [{"segment": "BPU", "payer": "apbdes", "active": 1, "inactive": 0}]
    lapsed = ok_json(cli("contributions", "status", "--as-of", "2024-05-01", "--json"))  # default region: Sumsel
    assert (lapsed["region"], lapsed["active"], lapsed["inactive"]) == ("16", 0, 1)


def test_status_table_and_bad_date(cli: Callable[..., Result], siti: Participant) -> None:
    result = cli("contributions", "status", "--as-of", "2024-04-15")
    assert result.exit_code == 0 and "BPU" in result.stdout and "apbdes" in result.stdout
    assert "YYYY-MM-DD" in refused(cli("contributions", "status", "--as-of", "kemarin"))
