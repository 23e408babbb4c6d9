"""Village institutions against the registry: per role positions, registered and active people, fully protected
villages, kelurahan rules, and figures that add up from desa to kecamatan, kab/kota and province
(expectations: tests/commitments/backend_world.py)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.http import Http404

from tests.commitments.backend_world import DANAU_CALA, KAYU_ARA, KEC, LUMPATAN, MUBA, SUKARAMI, make_world
from ucj.commitments import institutions as core
from ucj.commitments import services

ROLE_KEYS = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw")


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return make_world()


def test_pure_core_fully_protected_and_kelurahan() -> None:
    positions = pl.DataFrame(
        [("16.01.01.2001", 1, 2, 1, 1, 1, None, None, None),
         ("16.01.01.1001", None, None, None, 2, 1, None, None, None),
         ("16.01.01.2002", 1, 1, 1, 1, 1, 1, 1, None)],
        schema=core.POSITIONS_SCHEMA, orient="row",
    )  # fmt: skip
    people = pl.DataFrame(
        [("16.01.01.2001", r, 5, 5) for r in ROLE_KEYS] + [("16.01.01.1001", "rt", 2, 2), ("16.01.01.1001", "rw", 1, 0),
                                                          ("16.01.01.1001", "bpd", 1, 1)],
        schema=core.PEOPLE_SCHEMA, orient="row",
    )  # fmt: skip
    rows = core.per_desa(["16.01.01.2001", "16.01.01.1001", "16.01.01.2002", "16.01.01.2003"], positions, people)
    by = {r["desa"]: r for r in rows.iter_rows(named=True)}
    assert by["16.01.01.2001"]["fully_protected"] is True
    assert by["16.01.01.1001"]["fully_protected"] is False  # RW: 1 position, 0 active
    assert by["16.01.01.1001"]["bpd_positions"] is None and by["16.01.01.1001"]["bpd_registered"] is None
    assert by["16.01.01.2002"]["fully_protected"] is False and by["16.01.01.2002"]["lkd_positions"] == 2
    assert by["16.01.01.2003"]["reported"] is False and by["16.01.01.2003"]["fully_protected"] is False
    top = core.entry(core.roll_up(rows, "kecamatan").row(0, named=True))
    assert top["villages"] == {"total": 4, "reported": 3, "fully_protected": 1, "pct": 25.0}
    assert top["institutions"]["rt"] == {"positions": 4, "registered": 7, "active": 7}
    assert top["institutions"]["bpd"] == {"positions": 2, "registered": 5, "active": 5}  # the kelurahan's BPD: none


def test_kelurahan_code_rule() -> None:
    assert core.is_kelurahan("16.71.01.1001") and not core.is_kelurahan("16.06.01.2001")
    assert core.roles_of("16.71.01.1001") == ("rt", "rw")


def test_worked_example_per_village(world: dict[str, Any]) -> None:
    table = services.institutions_table(None, KEC, by="desa")
    rows = {c["code"]: c for c in table["children"]}
    assert len(rows) == 14
    assert rows[SUKARAMI]["institutions"]["rt"] == {"positions": 2, "registered": 3, "active": 2}
    assert rows[SUKARAMI]["villages"]["fully_protected"] == 1
    assert rows[LUMPATAN]["institutions"]["perangkat_desa"] == {"positions": 2, "registered": 1, "active": 1}
    assert rows[LUMPATAN]["villages"]["fully_protected"] == 0
    assert rows[KAYU_ARA]["institutions"]["kepala_desa"] is None  # a kelurahan has no kepala desa...
    assert rows[KAYU_ARA]["institutions"]["bpd"] is None
    assert rows[KAYU_ARA]["institutions"]["rt"] == {"positions": 4, "registered": 4, "active": 4}
    assert rows[KAYU_ARA]["villages"]["fully_protected"] == 1  # ...so RT and RW are all it needs


def test_worked_example_kecamatan_and_kabkota(world: dict[str, Any]) -> None:
    kec = services.institutions_table(None, KEC)["region"]
    assert kec["institutions"]["kepala_desa"] == {"positions": 2, "registered": 2, "active": 2}  # not the lurah
    assert kec["institutions"]["perangkat_desa"] == {"positions": 5, "registered": 4, "active": 4}
    assert kec["institutions"]["bpd"] == {"positions": 3, "registered": 2, "active": 2}
    assert kec["institutions"]["rt"] == {"positions": 9, "registered": 7, "active": 6}
    assert kec["institutions"]["rw"] == {"positions": 4, "registered": 3, "active": 3}
    assert kec["villages"] == {"total": 14, "reported": 3, "fully_protected": 2, "pct": 14.3}
    muba = services.institutions_table(None, MUBA)["region"]
    assert muba["institutions"]["kepala_desa"] == {"positions": 3, "registered": 2, "active": 2}
    assert muba["institutions"]["rt"]["positions"] == 10
    assert muba["villages"] == {"total": 242, "reported": 4, "fully_protected": 2, "pct": 0.8}
    assert DANAU_CALA.startswith(MUBA)


@pytest.mark.parametrize(("region", "by"), [(KEC, "desa"), (MUBA, "kecamatan"), ("16", "kabkota"), (MUBA, "desa")])
def test_children_add_up_to_their_parent(world: dict[str, Any], region: str, by: str) -> None:
    table = services.institutions_table(None, region, by=by)
    top, children = table["region"], table["children"]
    for role in ROLE_KEYS:
        for part in ("positions", "registered", "active"):
            total = sum((c["institutions"][role] or {}).get(part, 0) for c in children)
            assert total == top["institutions"][role][part], (role, part)
    for part in ("total", "reported", "fully_protected"):
        assert sum(c["villages"][part] for c in children) == top["villages"][part]


def test_outside_the_scope_is_404(world: dict[str, Any], make_user: Any) -> None:
    officer = make_user("kabkota", "16.71")
    with pytest.raises(Http404):
        services.institutions_table(officer, MUBA)
    assert services.institutions_table(make_user("desa", SUKARAMI), SUKARAMI)["region"]["villages"]["total"] == 1
