"""Authorisation matrix of the targeting pages: every role × every page under ``/sasaran/`` × own-region and
other-region records (own = Desa Sukarami 16.06.01.2001 in Kab. Musi Banyuasin 16.06; other = Palembang 16.71).
Outside a user's regions: 404; an action the role may not take: 403; anonymous: the login page. The decisions
come from ``ucj.accounts.scoping`` (through ``ucj.targeting.pages`` and the services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts.test_matrix import DONE, LOGIN, assert_answer
from tests.targeting.web_world import (
    PALEMBANG,
    SUKARAMI,
    Worklists,
    client_for_fixture,  # noqa: F401 (fixture)
    worklists_fixture,  # noqa: F401 (fixture)
)
from ucj.targeting.models import BpjsFile, ListSource, SubmissionFile

ROLES = ("admin", "provinsi", "kab_muba", "kab_plg", "desa", "bpjs", "viewer", "anon")
LIST = "NIK,Nama,Tgl Lahir,Kode Desa,Desil,Pekerjaan\n1606012303880011,Tono,23-03-1988,16.06.01.2001,1,Nelayan\n"
BPJS = "NIK,No KPJ,Nama,Status,Bulan Terakhir Bayar\n1606012303880011,24010000011,Tono,Aktif,2026-10\n"


def upload(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def records() -> dict[str, int]:
    """A list, a BPJS file, a collective file and a saved budget plan of each side."""
    from ucj.planning.models import Scenario

    out = {}
    for side, kab, desa in (("own", "16.06", SUKARAMI), ("other", "16.71", PALEMBANG)):
        out[f"source {side}"] = ListSource.objects.create(name=f"DTSEN {side}", kind="dtsen", region_id=kab).pk
        out[f"bpjs {side}"] = BpjsFile.objects.create(as_of=dt.date(2026, 10, 31), file_name="b.csv", sha256="0",
                                                      region_id=kab).pk  # fmt: skip
        out[f"file {side}"] = SubmissionFile.objects.create(region_id=desa, file_name=f"{side}.xlsx", people=0,
                                                            content=b"PK").pk  # fmt: skip
        out[f"plan {side}"] = Scenario.objects.create(name=f"Rencana {side}", region_id=kab, year=2027,
                                                      question="budget", spec={}, result={}).pk  # fmt: skip
    return out


def target(w: Worklists, ids: dict[str, int], name: str) -> tuple[str, str, dict[str, Any] | None]:
    own, other = w.people["Siti Aminah"].pk, w.palembang.pk
    contacted = {"status": "contacted"}
    return {
        "funnel": ("get", "/sasaran/", None),
        "funnel own kab": ("get", "/sasaran/?region=16.06", None),
        "funnel other kab": ("get", "/sasaran/?region=16.71", None),
        "funnel own desa": ("get", f"/sasaran/?region={SUKARAMI}", None),
        "funnel xlsx own kab": ("get", "/sasaran/corong.xlsx?region=16.06", None),
        "funnel xlsx other kab": ("get", "/sasaran/corong.xlsx?region=16.71", None),
        "candidates own kab": ("get", "/sasaran/kandidat/?region=16.06", None),
        "candidates other kab": ("get", "/sasaran/kandidat/?region=16.71", None),
        "candidates xlsx own kab": ("get", "/sasaran/kandidat.xlsx?region=16.06", None),
        "candidates xlsx other kab": ("get", "/sasaran/kandidat.xlsx?region=16.71", None),
        "to worklists own kab": ("post", "/sasaran/kandidat/ke-daftar-kerja/", {"region": "16.06"}),
        "to worklists other kab": ("post", "/sasaran/kandidat/ke-daftar-kerja/", {"region": "16.71"}),
        "plan to worklists own kab": ("post", "/sasaran/kandidat/dari-rencana/", {"plan": ids["plan own"]}),
        "plan to worklists other kab": ("post", "/sasaran/kandidat/dari-rencana/", {"plan": ids["plan other"]}),
        "worklists": ("get", "/sasaran/daftar-kerja/", None),
        "worklist own": ("get", f"/sasaran/daftar-kerja/{SUKARAMI}/", None),
        "worklist other": ("get", f"/sasaran/daftar-kerja/{PALEMBANG}/", None),
        "worklist own xlsx": ("get", f"/sasaran/daftar-kerja/{SUKARAMI}/daftar-kerja.xlsx", None),
        "worklist other xlsx": ("get", f"/sasaran/daftar-kerja/{PALEMBANG}/daftar-kerja.xlsx", None),
        "submit own": ("post", f"/sasaran/daftar-kerja/{SUKARAMI}/ajukan/", {}),
        "submit other": ("post", f"/sasaran/daftar-kerja/{PALEMBANG}/ajukan/", {}),
        "person own": ("get", f"/sasaran/orang/{own}/", None),
        "person other": ("get", f"/sasaran/orang/{other}/", None),
        "person own POST": ("post", f"/sasaran/orang/{own}/", contacted),
        "status own": ("post", f"/sasaran/orang/{own}/status/", contacted),
        "status other": ("post", f"/sasaran/orang/{other}/status/", contacted),
        "file own": ("get", f"/sasaran/berkas-kolektif/{ids['file own']}/", None),
        "file other": ("get", f"/sasaran/berkas-kolektif/{ids['file other']}/", None),
        "loads": ("get", "/sasaran/muatan/", None),
        "source own": ("get", f"/sasaran/muatan/daftar/{ids['source own']}/", None),
        "source other": ("get", f"/sasaran/muatan/daftar/{ids['source other']}/", None),
        "bpjs own": ("get", f"/sasaran/muatan/bpjs/{ids['bpjs own']}/", None),
        "bpjs other": ("get", f"/sasaran/muatan/bpjs/{ids['bpjs other']}/", None),
        "upload list": ("get", "/sasaran/muatan/daftar/unggah/", None),
        "upload list own kab": ("post", "/sasaran/muatan/daftar/unggah/",
                                {"file": upload(LIST, "l.csv"), "source": "DTSEN", "region": "16.06"}),
        "upload bpjs": ("get", "/sasaran/muatan/bpjs/unggah/", None),
        "upload bpjs POST": ("post", "/sasaran/muatan/bpjs/unggah/",
                             {"file": upload(BPJS, "b.csv"), "as_of": "2026-10-31"}),
    }[name]  # fmt: skip


NA = 404  # not in the caller's regions
# bpjs staff read worklists and load BPJS files; lists and the pipeline belong to the governments and villages
# 200 "form error": a region the role may not load for is not offered (the form says so; nothing is done)
# Expected answer per role:       admin  provinsi kab_muba kab_plg desa  bpjs  viewer anon
MATRIX: list[tuple[str, tuple[int | str, ...]]] = [
    ("funnel",                    (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("funnel own kab",            (200,   200,     200,     NA,     NA,   200,  200,   LOGIN)),
    ("funnel other kab",          (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("funnel own desa",           (200,   200,     200,     NA,     200,  200,  200,   LOGIN)),
    ("funnel xlsx own kab",       (200,   200,     200,     NA,     NA,   200,  200,   LOGIN)),
    ("funnel xlsx other kab",     (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("candidates own kab",        (200,   200,     200,     NA,     NA,   200,  200,   LOGIN)),
    ("candidates other kab",      (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("candidates xlsx own kab",   (200,   200,     200,     NA,     NA,   200,  200,   LOGIN)),  # viewer: masked
    ("candidates xlsx other kab", (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("to worklists own kab",      (DONE,  DONE,    DONE,    NA,     NA,   403,  403,   LOGIN)),
    ("to worklists other kab",    (DONE,  DONE,    NA,      DONE,   NA,   403,  403,   LOGIN)),
    ("plan to worklists own kab", (DONE,  DONE,    DONE,    NA,     NA,   403,  403,   LOGIN)),
    ("plan to worklists other kab", (DONE, DONE,   NA,      DONE,   NA,   403,  403,   LOGIN)),
    ("worklists",                 (DONE,  DONE,    DONE,    DONE,   DONE, DONE, DONE,  LOGIN)),
    ("worklist own",              (200,   200,     200,     NA,     200,  200,  200,   LOGIN)),
    ("worklist other",            (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("worklist own xlsx",         (200,   200,     200,     NA,     200,  200,  200,   LOGIN)),  # viewer: masked
    ("worklist other xlsx",       (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("submit own",                (DONE,  DONE,    DONE,    NA,     DONE, 403,  403,   LOGIN)),
    ("submit other",              (DONE,  DONE,    NA,      DONE,   NA,   403,  403,   LOGIN)),
    ("person own",                (200,   200,     200,     NA,     200,  200,  200,   LOGIN)),
    ("person other",              (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("person own POST",           (DONE,  DONE,    DONE,    NA,     DONE, 403,  403,   LOGIN)),
    ("status own",                (DONE,  DONE,    DONE,    NA,     DONE, 403,  403,   LOGIN)),
    ("status other",              (DONE,  DONE,    NA,      DONE,   NA,   403,  403,   LOGIN)),
    ("file own",                  (200,   200,     200,     NA,     200,  403,  403,   LOGIN)),
    ("file other",                (200,   200,     NA,      200,    NA,   403,  403,   LOGIN)),
    ("loads",                     (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    # a village reads the lists of its kab/kota (they hold its people)
    ("source own",                (200,   200,     200,     NA,     200,  200,  200,   LOGIN)),
    ("source other",              (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("bpjs own",                  (200,   200,     200,     NA,     NA,   200,  200,   LOGIN)),
    ("bpjs other",                (200,   200,     NA,      200,    NA,   200,  200,   LOGIN)),
    ("upload list",               (200,   200,     200,     200,    200,  403,  403,   LOGIN)),
    ("upload list own kab",       (200,   200,     200,     200,    200,  403,  403,   LOGIN)),  # form error
    ("upload bpjs",               (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
    ("upload bpjs POST",          (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
]  # fmt: skip
CASES = [(name, role, expected) for name, row in MATRIX for role, expected in zip(ROLES, row, strict=True)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_access(worklists: Worklists, client_for: Callable[[str], Client], name: str, role: str,
                expected: int | str) -> None:  # fmt: skip
    from unittest import mock

    import polars as pl

    nobody = pl.DataFrame(schema={"desa": pl.String, "nik": pl.String, "name": pl.String, "decile": pl.Int64})
    with mock.patch("ucj.planning.services.enrolment", return_value={"people": nobody}):  # a plan's list: empty
        assert_answer(client_for(role), role, *target(worklists, records(), name), expected)


@pytest.mark.django_db
def test_the_matrix_covers_every_targeting_page(worklists: Worklists) -> None:
    """A new page under /sasaran/ must get a row here."""
    from django.urls import resolve

    from ucj.targeting import urls

    ids = records()
    exercised = {resolve(target(worklists, ids, name)[1].split("?")[0]).route for name, _ in MATRIX}
    assert exercised == {f"sasaran/{p.pattern}" for p in urls.urlpatterns}


@pytest.mark.django_db
def test_the_pages_use_only_public_names_of_other_packages() -> None:
    """The targeting pages' region picker comes from the public ucj.accounts.scoping.region_choices (the registry
    list uses it too), not from another package's private helper."""
    import ast
    from pathlib import Path

    import ucj.targeting
    from ucj.accounts.scoping import Scope, region_choices

    folder = Path(ucj.targeting.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("ucj.targeting"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"
    kab = region_choices(Scope(grants=(("kabkota", "16.06"),)))
    assert kab[0][0] == "16.06" and kab[0][1].startswith("· ") and kab[0][1].endswith("Musi Banyuasin (16.06)")
    assert {len(code) for code, _ in kab} == {5, 8, 13}  # the kab/kota, its kecamatan and villages
