"""Candidates computed from frames (pure): dedup across lists, BPJS authoritative, registry fallback, lapsed people,
exclusions counted, priority order, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from ucj.targeting import candidates as core

AS_OF = dt.date(2026, 11, 30)
SINCE = dt.date(2026, 9, 1)  # 3 lapse months: paid through September is still active in November


def person(nik: str, **kw: Any) -> dict[str, Any]:
    row = {"nik": nik, "name": f"P{nik[-2:]}", "birth_date": dt.date(1990, 1, 1), "sex": "L", "desa": "16.06.01.2001",
           "decile": None, "occupation": "", "village_role": "", "groups": "", "source": "DTSEN", "kind": "dtsen"}
    return row | kw


def frames(people: list[dict[str, Any]], bpjs: Sequence[dict[str, Any]] = (), registry: Sequence[dict[str, Any]] = (),
           ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:  # fmt: skip
    return (pl.DataFrame(people, schema=core.LIST_SCHEMA), pl.DataFrame(list(bpjs), schema=core.BPJS_SCHEMA),
            pl.DataFrame(list(registry), schema=core.REGISTRY_SCHEMA))  # fmt: skip


def test_order_dedup_and_exclusions() -> None:
    lists, bpjs, registry = frames(
        [
            person("01", decile=3, desa="16.06.01.2002"),
            person("02", decile=1, desa="16.06.01.2002"),
            person("03", decile=None, desa="16.06.01.2001"),
            person("04", decile=5, village_role="bpd"),
            person("05", decile=1, village_role="kepala_desa"),
            person("02", decile=4, source="Penduduk", kind="population", desa="16.06.01.2001", groups="petani"),  # dup
            person("06", decile=1, occupation="PNS"),
            person("07", decile=2, birth_date=dt.date(1950, 1, 1)),
            person("08", decile=2),  # BPJS active
            person("09", decile=2),  # BPJS non aktif: reactivation
            person("10", decile=2),  # registry active, BPJS silent
            person("11", decile=6),  # registry lapsed, BPJS silent
            person("12", decile=1, source="Nelayan", kind="sector"),
            person("12", decile=None, occupation="Bintara TNI", source="Penduduk", kind="population"),
        ],
        bpjs=[{"nik": "08", "status": "aktif", "kpj": "k8", "as_of": dt.date(2026, 11, 1), "file_id": 1},
              {"nik": "09", "status": "nonaktif", "kpj": "k9", "as_of": dt.date(2026, 11, 1), "file_id": 1}],
        registry=[{"nik": "10", "paid_through": dt.date(2026, 10, 31)},
                  {"nik": "11", "paid_through": dt.date(2026, 8, 31)}],
    )  # fmt: skip
    out = core.compute(lists, bpjs, registry, as_of=AS_OF, since=SINCE)
    # roles first (kepala desa before BPD), then decile 1→10, unknown last; ties by village then name
    assert out.frame["nik"].to_list() == ["05", "04", "02", "09", "01", "11", "03"]
    assert out.frame["priority"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    budi = out.frame.row(2, named=True)
    # the population export's village and the lowest decile of any list; both sources; tags united
    assert (budi["desa"], budi["decile"], budi["sources"], budi["groups"]) == ("16.06.01.2001", 1, "DTSEN, Penduduk",
                                                                               "petani")  # fmt: skip
    assert out.frame.filter(pl.col("nik") == "09")["bpjs_status"].item() == "nonaktif"
    assert out.frame.filter(pl.col("nik") == "11")["bpjs_status"].item() == "nonaktif"
    assert out.excluded == {"active": 2, "asn": 1, "over_age": 1, "tni_polri": 1}


def test_newest_bpjs_file_is_authoritative_and_future_files_ignored() -> None:
    lists, bpjs, registry = frames(
        [person("01"), person("02"), person("03")],
        bpjs=[{"nik": "01", "status": "aktif", "kpj": "k", "as_of": dt.date(2026, 6, 1), "file_id": 1},
              {"nik": "01", "status": "nonaktif", "kpj": "k", "as_of": dt.date(2026, 10, 1), "file_id": 2},
              {"nik": "02", "status": "nonaktif", "kpj": "k", "as_of": dt.date(2026, 6, 1), "file_id": 1},
              {"nik": "02", "status": "aktif", "kpj": "k", "as_of": dt.date(2026, 12, 1), "file_id": 3},
              {"nik": "03", "status": "nonaktif", "kpj": "k", "as_of": dt.date(2026, 10, 1), "file_id": 2}],
        # the registry says 03 paid, but BPJS reported 03: BPJS wins
        registry=[{"nik": "03", "paid_through": dt.date(2026, 11, 30)}],
    )  # fmt: skip
    out = core.compute(lists, bpjs, registry, as_of=AS_OF, since=SINCE)
    assert sorted(out.frame["nik"].to_list()) == ["01", "02", "03"]  # 02's December file is after the date
    later = core.compute(lists, bpjs, registry, as_of=dt.date(2026, 12, 31), since=dt.date(2026, 10, 1))
    assert sorted(later.frame["nik"].to_list()) == ["01", "03"]
    assert later.excluded == {"active": 1}


def test_filters_count_what_they_leave_out_and_keep_unknown_deciles() -> None:
    lists, bpjs, registry = frames([person("01", decile=2, groups="nelayan"), person("02", decile=7),
                                    person("03", groups="petani"), person("04", village_role="rt",
                                                                          groups="perangkat_desa")])  # fmt: skip
    out = core.compute(lists, bpjs, registry, as_of=AS_OF, since=SINCE, max_decile=4)
    assert out.frame["nik"].to_list() == ["04", "01", "03"]
    assert out.excluded == {"decile_above": 1}
    grouped = core.compute(lists, bpjs, registry, as_of=AS_OF, since=SINCE, groups=["nelayan", "perangkat_desa"])
    assert grouped.frame["nik"].to_list() == ["04", "01"]
    assert grouped.excluded == {"group_other": 2}


def test_deceased_on_a_worklist_are_not_candidates() -> None:
    lists, bpjs, registry = frames([person("01"), person("02")])
    out = core.compute(lists, bpjs, registry, as_of=AS_OF, since=SINCE, deceased=["02"])
    assert out.frame["nik"].to_list() == ["01"]
    assert out.excluded == {"deceased": 1}
