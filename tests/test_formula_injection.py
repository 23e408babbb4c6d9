"""Formula injection (issue 11 point 17): every xlsx export writes text as text. A name such as
``=HYPERLINK(...)``, ``+cmd``, ``-1+1`` or ``@SUM(...)`` comes back out of each workbook as that string, and no
cell of any sheet is a formula or a link. Each workbook is read back from its XML and with calamine."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import polars as pl
import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from ucj.contributions.bills import create_bill
from ucj.contributions.exports import bill_xlsx
from ucj.planning.exports import enrolment_xlsx, rka_xlsx
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


def test_rka_workbook() -> None:
    result = {
        "spec": {"region": "16.06", "year": 2025, "start_month": 1, "months": 12, "programs": ["JKK", "JKM"],
                 "shares": {"apbd_kabkota": 1.0}},
        "funded": 10, "unit_cost": 201_600, "cost": 2_016_000, "by_payer": {"apbd_kabkota": 2_016_000},
        "unit_cost_lines": [{"program": "JKK", "amount": 10_000, "source": HOSTILE[1]}],
        "regions": [{"region": "16.06", "name": HOSTILE[2], "funded": 10}],
    }  # fmt: skip
    assert_text_only(rka_xlsx(HYPERLINK, result), [HYPERLINK, HOSTILE[1], HOSTILE[2]])


def test_enrolment_workbook() -> None:
    people = pl.DataFrame([{"desa": SUKARAMI, "desa_name": HOSTILE[3], "kab": "16.06", "nik": "1606********0012",
                            "name": text, "group": "rentan", "decile": 1, "monthly": 16_800, "months": 12,
                            "total": 201_600} for text in HOSTILE])  # fmt: skip
    villages = pl.DataFrame({"Desa": [HOSTILE[4]], "Jumlah": [1]})
    unlisted = pl.DataFrame({"Kab/Kota": [HOSTILE[5]], "Pekerja": [3]})
    assert_text_only(enrolment_xlsx(HYPERLINK, people, villages, unlisted), HOSTILE)


@pytest.mark.django_db
def test_coverage_workbook(admin_user: Any) -> None:
    from ucj.regions.models import Region

    Region.objects.filter(code="16.06.01").update(name=HYPERLINK)
    client = Client()
    client.force_login(admin_user)
    answer = client.get("/api/v1/coverage/export.xlsx", {"region": "16.06", "by": "kecamatan"})
    assert answer.status_code == 200, answer.content[:300]
    assert_text_only(answer.content, [HYPERLINK])
