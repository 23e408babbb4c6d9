"""Issue 11 §14 (PostgreSQL): two imports running at the same time with the same new NIKs both finish.

Import A matches, inserts and — held here — has not committed yet; import B matches (A's rows are not
visible), then inserts and waits on the unique index for A. When A commits, B's ``ON CONFLICT (nik) DO
NOTHING`` skips those rows and B matches them again as known NIKs and updates them. Before, B died on a
unique violation (a 500, and the NIK in PostgreSQL's log). SQLite serialises writers, so this is a
PostgreSQL test; events order the two threads (no sleeps, no timing)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.registry.side_by_side import WAIT, import_side_by_side
from ucj.registry import store
from ucj.registry.models import ImportBatch, Participant

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUKARAMI = "16.06.01.2001"
HEADER = "NIK,Nama,Kode Desa,No HP"
SHARED = ["1606011301900044", "1606011402910045", "1606011503920046"]


def test_two_imports_sharing_new_niks_both_finish(write_csv: Callable[..., Path], monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises writers (its half of §14 is the lock handling)")
    from ucj.regions.services import load_regions

    load_regions("16")  # transactional tests start from an emptied database
    a_inserted, b_matched = threading.Event(), threading.Event()
    real_stored, real_insert = store._stored, store._insert

    def stored(cur: Any, frame: Any, *rest: Any) -> Any:
        if threading.current_thread().name == "B" and not b_matched.is_set():
            assert a_inserted.wait(WAIT)  # B matches while A's rows exist but are not committed
            found = real_stored(cur, frame, *rest)
            b_matched.set()
            return found
        return real_stored(cur, frame, *rest)

    def insert(cur: Any, rows: Any, *rest: Any) -> Any:
        lost = real_insert(cur, rows, *rest)
        if threading.current_thread().name == "A":
            a_inserted.set()
            assert b_matched.wait(WAIT)  # A commits only after B has matched
        return lost

    monkeypatch.setattr(store, "_stored", stored)
    monkeypatch.setattr(store, "_insert", insert)
    files = {
        "A": write_csv([HEADER, *[f"{n},Orang {i},{SUKARAMI},0811" for i, n in enumerate(SHARED)]], name="a.csv"),
        "B": write_csv(
            [
                HEADER,
                *[f"{n},Orang {i},{SUKARAMI},0822" for i, n in enumerate(SHARED)],
                f"1606011604930047,Orang B,{SUKARAMI},0822",
            ],
            name="b.csv",
        ),
    }
    reports = import_side_by_side(files, a_inserted, b_matched)
    a, b = reports["A"], reports["B"]
    assert (a.accepted, a.updated, a.rejected) == (3, 0, 0)
    assert (b.accepted, b.updated, b.rejected) == (1, 3, 0)  # B updated what A inserted
    assert Participant.objects.count() == 4
    assert set(Participant.objects.filter(nik__in=SHARED).values_list("phone", flat=True)) == {"0822"}
    assert ImportBatch.objects.filter(status="done").count() == 2
