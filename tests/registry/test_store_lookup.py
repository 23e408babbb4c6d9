"""Issue 17 §3: the stored rows of a batch's known NIKs read in bulk (SQLite: the whole table in storage order, or
a range of the NIK index, then a Polars semi-join) equal what probing the unique index once per NIK returns —
every column and type, NULLs and blank text included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ucj.registry import store
from ucj.registry.models import Participant
from ucj.registry.services import import_roster

pytestmark = pytest.mark.django_db

SUKARAMI, OTHER = "16.06.01.2001", "16.06.01.1009"
HEADER = "NIK,Nama,Kode Desa,Tanggal Lahir,Jenis Kelamin,No HP,Penghasilan,Program,Segmen,Iuran s/d"


def line(i: int, phone: str) -> str:
    desa = SUKARAMI if i % 3 else OTHER
    day, month, year = (i % 27) + 1, (i % 9) + 1, 60 + i % 30
    sex = "LP"[i % 2] if i % 5 else ""
    nik = f"160601{day + (40 if sex == 'P' else 0):02d}{month:02d}{year:02d}{i:04d}"
    born = f"{day:02d}-{month:02d}-19{year}" if i % 4 else ""  # some without (then read from the NIK)
    income = str(1_500_000 + 1000 * i) if i % 6 else ""
    program = '"JKK, JKM, JHT"' if i % 2 else ""
    return f"{nik},Orang {i},{desa},{born},{sex},{phone},{income},{program},BPU,31-12-2025"


def test_bulk_reads_equal_probing(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_csv([HEADER, *[line(i, "0811") for i in range(1, 61)]], name="a.csv")
    assert import_roster(first.read_bytes(), first.name).accepted == 60
    frames: list[pl.DataFrame] = []
    real = store._stored

    def stored(cur: Any, frame: pl.DataFrame, *rest: Any) -> pl.DataFrame:
        frames.append(frame)
        return real(cur, frame, *rest)

    monkeypatch.setattr(store, "_stored", stored)
    # The known NIKs and new ones, in no particular order.
    second = write_csv([HEADER, *[line(i, "0822") for i in [*range(59, 0, -2), *range(61, 71), *range(2, 61, 2)]]],
                       name="b.csv")  # fmt: skip
    report = import_roster(second.read_bytes(), second.name)
    assert (report.accepted, report.updated) == (10, 60)
    batch = frames[0]

    def read(frame: pl.DataFrame, range_min: int, how: str = "") -> pl.DataFrame:
        monkeypatch.setattr(store, "_RANGE_MIN", range_min)
        with CaptureQueriesContext(connection) as queries, connection.cursor() as cur:
            found = real(cur, frame).sort("nik")
        if how and connection.vendor == "sqlite":  # which read it was: the last statement's filter
            last = queries.captured_queries[-1]["sql"]
            assert ("probes" if "json_each" in last else "range" if "BETWEEN" in last else "whole") == how
        return found

    probed = read(batch, 10**9, "probes")  # one probe of the unique index per NIK (the lookup before issue 17 §3)
    assert probed.height == 70  # the 60 known NIKs and the 10 inserted meanwhile by the second file
    assert {"name", "birth_date", "sex", "phone", "income", "jkk", "paid_through"} <= set(probed.columns)
    assert probed.schema["birth_date"] == pl.Date and probed.schema["jkk"] == pl.Boolean
    assert probed["income"].null_count() > 0  # a NULL stays NULL
    flags = ["jkk", "jkm", "jht", "jp", "jkp"]
    orm = Participant.objects.order_by("nik").values_list("nik", *flags)
    assert probed.select("nik", *flags).rows() == [r for r in orm if r[0] in set(probed["nik"])]  # each boolean
    whole = read(batch, 1, "whole")  # 70 stored rows, 70 NIKs in the batch: the whole table in storage order
    assert whole.equals(probed)
    few = batch.filter(pl.col("nik").is_in(sorted(batch["nik"].to_list())[10:25]))
    probed_few = read(few, 10**9)
    assert probed_few.height == 15
    assert read(few, 1, "range").equals(probed_few)  # 70 rows > 1.5 x 15: a range of the NIK index
    spread = batch.filter(pl.col("nik").is_in([min(batch["nik"]), max(batch["nik"])]))
    assert read(spread, 1, "probes").equals(read(spread, 10**9))  # a range holding far more than the batch
