"""Formula injection (issue 11 point 17): every xlsx export writes text as text. A name such as
``=HYPERLINK(...)``, ``+cmd``, ``-1+1`` or ``@SUM(...)`` comes back out of each workbook as that string, and no
cell of any sheet is a formula or a link. Each workbook is read back from its XML and with calamine."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ucj.contributions.bills import create_bill
from ucj.contributions.exports import bill_xlsx
from ucj.registry.exports import rejected_rows_xlsx
from ucj.registry.models import ImportBatch, Participant, RejectedRow
from ucj.xlsx import workbook

HYPERLINK = '=HYPERLINK("http://evil.example/x","klik")'
HOSTILE = [HYPERLINK, "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A2)", "=1+1", "http://evil.example/a"]
SUKARAMI = "16.06.01.2001"


def assert_text_only(data: bytes, expected: list[str]) -> None:
    """No formula (``<f>``) and no hyperlink in any sheet; every ``expected`` string is a cell value."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert sheets
        for name in sheets:
            xml = z.read(name).decode()
            assert not re.search(r"<f[ >]", xml), f"formula in {name}"
            assert "<hyperlink" not in xml, f"link in {name}"
        assert not any("hyperlink" in n or n.startswith("xl/externalLinks") for n in z.namelist())
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    values = {str(v) for s in book.sheet_names for row in book.get_sheet_by_name(s).to_python() for v in row}
    for text in expected:
        assert any(text in v for v in values), text


def test_the_helper_keeps_every_hostile_string_as_text() -> None:
    buf = io.BytesIO()
    book = workbook(buf, strings_to_formulas=True, strings_to_urls=True)  # cannot be turned back on
    sheet = book.add_worksheet()
    for r, text in enumerate(HOSTILE):
        sheet.write(r, 0, text)
    sheet.write_row(len(HOSTILE), 0, HOSTILE)
    book.close()
    assert_text_only(buf.getvalue(), HOSTILE)


def test_the_writer_keeps_every_hostile_string_as_text() -> None:
    """ucj.xlsx.Book, the writer of every export: Python rows and Polars frames alike."""
    import polars as pl

    from ucj.xlsx import Book

    book = Book()
    book.add_sheet("rows").write_rows(0, [[text] for text in HOSTILE])
    book.add_sheet("frame").write_frame(0, pl.DataFrame({"text": HOSTILE}))
    assert_text_only(book.to_bytes(), HOSTILE)


@pytest.mark.django_db
def test_bill_workbook(admin_user: Any) -> None:
    for i, text in enumerate(HOSTILE):
        Participant.objects.create(nik=f"16060141019000{i + 10}", name=text, occupation=text, desa_id=SUKARAMI,
                                   segment="BPU", payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip
    bill = create_bill(admin_user, "apbdes", SUKARAMI, dt.date(2024, 3, 1))
    assert_text_only(bill_xlsx(bill, admin_user), HOSTILE)


@pytest.mark.django_db
def test_rejected_rows_workbook(db: Any) -> None:
    batch = ImportBatch.objects.create(file_name="r.csv", sha256="0" * 64, region_id=SUKARAMI, status="done",
                                       rejected=len(HOSTILE), columns={"headers": ["NIK", "Nama"]})  # fmt: skip
    for i, text in enumerate(HOSTILE, start=2):
        RejectedRow.objects.create(batch=batch, row=i, cells=["123", text], reasons=text)
    assert_text_only(rejected_rows_xlsx(batch), HOSTILE)


@pytest.mark.django_db
def test_rka_and_enrolment_workbooks(admin_user: Any) -> None:
    """A saved plan named ``=HYPERLINK(...)`` over a kab/kota and workers with hostile names, downloaded through
    the API as every user downloads them."""
    from tests.planning.conftest import UNIT_COST, make_plan_world
    from ucj.regions.models import Region

    make_plan_world()
    Region.objects.filter(code="16.06").update(name=HOSTILE[2])
    for p, text in zip(Participant.objects.filter(desa_id=SUKARAMI).order_by("pk"), HOSTILE * 3, strict=False):
        Participant.objects.filter(pk=p.pk).update(name=text)
    client = Client()
    client.force_login(admin_user)
    spec = {"region": "16", "year": 2025, "budget": 100 * UNIT_COST,
            "shares": {"apbd_provinsi": 0.6, "apbd_kabkota": 0.4}}  # fmt: skip
    saved = client.post("/api/v1/plans", {"name": HYPERLINK, "spec": spec}, content_type="application/json")
    assert saved.status_code == 201, saved.content
    plan = saved.json()["id"]
    rka = client.get(f"/api/v1/plans/{plan}/rka.xlsx")
    assert rka.status_code == 200
    assert_text_only(rka.content, [HYPERLINK, HOSTILE[2]])
    enrolment = client.get(f"/api/v1/plans/{plan}/enrolment.xlsx")
    assert enrolment.status_code == 200
    assert_text_only(enrolment.content, [HYPERLINK, *HOSTILE])


@pytest.mark.django_db
def test_coverage_workbook(admin_user: Any) -> None:
    from ucj.regions.models import Region

    Region.objects.filter(code="16.06.01").update(name=HYPERLINK)
    client = Client()
    client.force_login(admin_user)
    answer = client.get("/api/v1/coverage/export.xlsx", {"region": "16.06", "by": "kecamatan"})
    assert answer.status_code == 200, answer.content[:300]
    assert_text_only(answer.content, [HYPERLINK])


@pytest.mark.django_db
def test_bill_csv_from_page_api_and_cli(admin_user: Any, tmp_path: Any) -> None:
    """``format=csv`` (page and API) and ``--out FILE.csv`` (CLI): every hostile text field comes out prefixed
    with a single quote (OWASP CSV injection guidance), so no field starts with = + - @ TAB or CR."""
    import csv

    from django.urls import reverse
    from typer.testing import CliRunner

    from ucj.cli.main import app

    for i, text in enumerate([*HOSTILE, "\t=1+1", "\r=1+1"]):
        Participant.objects.create(nik=f"16060141019000{i + 10}", name=text, desa_id=SUKARAMI, segment="BPU",
                                   payer="apbdes", paid_through=dt.date(2024, 2, 29))  # fmt: skip
    bill = create_bill(admin_user, "apbdes", SUKARAMI, dt.date(2024, 3, 1))
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("contributions:bill_xlsx", args=[bill.pk]), {"format": "csv"})
    api = client.get(f"/api/v1/bills/{bill.pk}/xlsx", {"format": "csv"})
    out = tmp_path / "tagihan.csv"
    args = ["contributions", "bill", "--payer", "apbdes", "--region", SUKARAMI, "--month", "2024-03",
            "--user", admin_user.username, "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for answer in (page, api):
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
        assert answer["Content-Disposition"].endswith('.csv"')
    for data in (page.content, api.content, out.read_bytes()):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        names = {row[2] for row in rows[1:]}
        assert names == {"'" + t if t[0] in "=+-@\t\r" else t for t in [*HOSTILE, "\t=1+1", "\r=1+1"]}
        assert not any(field[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for field in row if field)


@pytest.mark.django_db
def test_enrolment_csv(admin_user: Any) -> None:
    """The enrolment list as CSV (``format=csv``): hostile worker names come out quoted with ``'``."""
    import csv

    from tests.planning.conftest import UNIT_COST, make_plan_world

    make_plan_world()
    for p, text in zip(Participant.objects.filter(desa_id=SUKARAMI).order_by("pk"), HOSTILE * 3, strict=False):
        Participant.objects.filter(pk=p.pk).update(name=text)
    client = Client()
    client.force_login(admin_user)
    spec = {"region": "16", "year": 2025, "budget": 100 * UNIT_COST,
            "shares": {"apbd_provinsi": 0.6, "apbd_kabkota": 0.4}}  # fmt: skip
    saved = client.post("/api/v1/plans", {"name": "csv", "spec": spec}, content_type="application/json")
    answer = client.get(f"/api/v1/plans/{saved.json()['id']}/enrolment.xlsx", {"format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    names = {row[5] for row in rows[1:]}
    assert {"'" + t if t[0] in "=+-@" else t for t in HOSTILE} <= names
    assert not any(field[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for field in row if field)
