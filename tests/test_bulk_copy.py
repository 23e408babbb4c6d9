"""``ucj.bulk.copy_frame`` sends a frame to PostgreSQL a piece at a time (issue 17 §3): every row arrives once,
in order, with NULLs, blanks, quotes, commas, newlines and dates as they were."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import connection

from ucj import bulk

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: COPY"),
]


def test_pieces_arrive_whole_and_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "COPY_PIECE_ROWS", 2)
    frame = pl.DataFrame(
        {
            "n": [1, 2, 3, 4, 5],
            "t": ['a "quoted", name', "", None, "two\nlines", "Ŝukarami"],
            "d": [dt.date(1980, 12, 13), None, dt.date(2000, 2, 29), None, dt.date(2025, 1, 1)],
        }
    )
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE t_copy (n bigint, t text, d date)")
        bulk.copy_frame(cur, "COPY t_copy (n, t, d) FROM STDIN (FORMAT csv)", frame)
        cur.execute("SELECT n, t, d FROM t_copy ORDER BY n")
        assert cur.fetchall() == list(frame.iter_rows())


def test_an_empty_frame_copies_nothing() -> None:
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE t_copy (n bigint)")
        bulk.copy_frame(cur, "COPY t_copy (n) FROM STDIN (FORMAT csv)", pl.DataFrame({"n": []}, schema={"n": pl.Int64}))
        cur.execute("SELECT count(*) FROM t_copy")
        assert cur.fetchone()[0] == 0
