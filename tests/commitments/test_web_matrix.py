"""Authorisation matrix of the commitment pages: every role × every page under ``/komitmen/`` × own-region and
other-region records (the world of tests/commitments/backend_world.py: Musi Banyuasin 16.06 with Desa Sukarami,
Palembang 16.71).

Records outside a user's regions answer 404; actions a role may not take answer 403 (and their buttons are not
shown: tests/commitments/test_pages.py); anonymous users go to the login page. Who may change what is
``ucj.commitments.services.WRITE_ROLES``: regulations and budgets the province and kab/kota governments, a village
operator their village's institutions and APBDes line, BPJS staff the ecosystems, meetings and actions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.accounts import conftest as accounts
from tests.accounts.test_matrix import DONE, LOGIN, assert_answer
from tests.commitments.backend_world import MUBA, PALEMBANG, SUKARAMI, make_world
from ucj.commitments import services
from ucj.commitments.models import BudgetCommitment, EcosystemUnit, FollowUpAction, Instrument, Meeting, Partner

client_for = accounts.client_for  # the fixture: a client logged in per role ("anon": not logged in)
ROLES = ("admin", "provinsi", "kab_muba", "kab_plg", "desa", "bpjs", "viewer", "anon")
PDF = b"%PDF-1.7\n%%EOF\n"
PLG_KELURAHAN = "16.71.01.1001"
INSTITUTION = {"rt": "3", "rw": "1", "kepala_desa": "1", "perangkat_desa": "3", "bpd": "2", "source": "matriks"}


@pytest.fixture
def world(db: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.DATA_DIR = tmp_path
    made = make_world()
    for region in (MUBA, PALEMBANG):  # a document each, added through the service like the page does
        pk = Instrument.objects.get(region_id=region).pk
        services.update_instrument(None, pk, {}, document=services.Document(PDF, f"{region}.pdf"))
    services.create_partner(None, {"region": MUBA, "name": "Bank Sumsel Babel", "kind": "bank"})
    return made


def target(name: str) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, POST data) of one matrix row."""
    own_i = Instrument.objects.get(region_id=MUBA).pk
    other_i = Instrument.objects.get(region_id=PALEMBANG).pk
    apbdes = BudgetCommitment.objects.get(region_id=SUKARAMI).pk
    kab = BudgetCommitment.objects.get(region_id=MUBA, payer="apbd_kabkota").pk
    unit = EcosystemUnit.objects.get(name="Pasar Sekayu").pk
    own_a = FollowUpAction.objects.get(owner_id=MUBA, status="rencana").pk
    other_a = FollowUpAction.objects.get(owner_id=PALEMBANG).pk
    partner = Partner.objects.get(region_id=MUBA).pk
    meeting = Meeting.objects.get(region_id="16").pk  # the province's; actions for Muba, Sukarami and Palembang
    perbup = {"region": MUBA, "kind": "perbup", "number": "9", "date": "", "title": "Matriks", "status": "draf",
              "payer": "", "note": ""}  # fmt: skip
    return {
        "overview": ("get", "/komitmen/", None),
        "overview own kab": ("get", f"/komitmen/?region={MUBA}", None),
        "overview other kab": ("get", f"/komitmen/?region={PALEMBANG}", None),
        "export own kab": ("get", f"/komitmen/skor.xlsx?region={MUBA}", None),
        "instruments": ("get", "/komitmen/regulasi/", None),
        "instrument new": ("get", "/komitmen/regulasi/baru/", None),
        "instrument new POST own kab": ("post", "/komitmen/regulasi/baru/", perbup),
        "instrument edit own": ("get", f"/komitmen/regulasi/{own_i}/ubah/", None),
        "instrument edit other": ("get", f"/komitmen/regulasi/{other_i}/ubah/", None),
        "document own": ("get", f"/komitmen/regulasi/{own_i}/dokumen/", None),
        "document other": ("get", f"/komitmen/regulasi/{other_i}/dokumen/", None),
        "budgets": ("get", "/komitmen/anggaran/", None),
        "budget new": ("get", "/komitmen/anggaran/baru/", None),
        "budget edit apbdes": ("get", f"/komitmen/anggaran/{apbdes}/ubah/", None),
        "budget edit kab": ("get", f"/komitmen/anggaran/{kab}/ubah/", None),
        "institutions": ("get", "/komitmen/kelembagaan/", None),
        "institution edit own": ("get", f"/komitmen/kelembagaan/{SUKARAMI}/ubah/", None),
        "institution edit other": ("get", f"/komitmen/kelembagaan/{PLG_KELURAHAN}/ubah/", None),
        "institution POST own": ("post", f"/komitmen/kelembagaan/{SUKARAMI}/ubah/", INSTITUTION),
        "upload": ("get", "/komitmen/kelembagaan/unggah/", None),
        "units": ("get", "/komitmen/ekosistem/", None),
        "unit new": ("get", "/komitmen/ekosistem/baru/", None),
        "unit edit own": ("get", f"/komitmen/ekosistem/{unit}/ubah/", None),
        "partner new": ("get", "/komitmen/mitra/baru/", None),
        "meetings": ("get", "/komitmen/rapat/", None),
        "meeting new": ("get", "/komitmen/rapat/baru/", None),
        "action new": ("get", "/komitmen/tindak-lanjut/baru/", None),
        "action status own": ("post", f"/komitmen/tindak-lanjut/{own_a}/status/", {f"a{own_a}-status": "selesai"}),
        "action status other": ("post", f"/komitmen/tindak-lanjut/{other_a}/status/",
                                {f"a{other_a}-status": "selesai"}),
        "instrument delete own": ("get", f"/komitmen/regulasi/{own_i}/hapus/", None),
        "instrument delete POST other": ("post", f"/komitmen/regulasi/{other_i}/hapus/", {}),
        "budget delete kab": ("get", f"/komitmen/anggaran/{kab}/hapus/", None),
        "budget delete POST apbdes": ("post", f"/komitmen/anggaran/{apbdes}/hapus/", {}),
        "unit delete own": ("get", f"/komitmen/ekosistem/{unit}/hapus/", None),
        "unit delete POST own": ("post", f"/komitmen/ekosistem/{unit}/hapus/", {}),
        "partner delete own": ("get", f"/komitmen/mitra/{partner}/hapus/", None),
        "meeting": ("get", f"/komitmen/rapat/{meeting}/", None),
        "meeting edit": ("get", f"/komitmen/rapat/{meeting}/ubah/", None),
        "meeting delete": ("get", f"/komitmen/rapat/{meeting}/hapus/", None),
        "meeting delete POST": ("post", f"/komitmen/rapat/{meeting}/hapus/", {}),
        "action edit own": ("get", f"/komitmen/tindak-lanjut/{own_a}/ubah/", None),
        "action delete POST other": ("post", f"/komitmen/tindak-lanjut/{other_a}/hapus/", {}),
    }[name]  # fmt: skip


# Expected answer per role:          admin  provinsi kab_muba kab_plg desa  bpjs  viewer anon
MATRIX: list[tuple[str, tuple[int | str, ...]]] = [
    ("overview",                    (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("overview own kab",            (200,   200,     200,     404,    404,  200,  200,   LOGIN)),
    ("overview other kab",          (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("export own kab",              (200,   200,     200,     404,    404,  200,  200,   LOGIN)),
    ("instruments",                 (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("instrument new",              (200,   200,     200,     200,    200,  403,  403,   LOGIN)),  # desa: Perdes
    ("instrument new POST own kab", (DONE,  DONE,    DONE,    200,    200,  403,  403,   LOGIN)),  # 200: not a choice
    ("instrument edit own",         (200,   200,     200,     404,    403,  403,  403,   LOGIN)),  # desa sees it above
    ("instrument edit other",       (200,   200,     404,     200,    404,  403,  403,   LOGIN)),
    ("document own",                (200,   200,     200,     404,    200,  200,  200,   LOGIN)),
    ("document other",              (200,   200,     404,     200,    404,  200,  200,   LOGIN)),
    ("budgets",                     (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("budget new",                  (200,   200,     200,     200,    200,  403,  403,   LOGIN)),  # desa: APBDes
    ("budget edit apbdes",          (200,   200,     200,     404,    200,  403,  403,   LOGIN)),
    ("budget edit kab",             (200,   200,     200,     404,    404,  403,  403,   LOGIN)),
    ("institutions",                (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("institution edit own",        (200,   200,     200,     404,    200,  403,  403,   LOGIN)),
    ("institution edit other",      (200,   200,     404,     200,    404,  403,  403,   LOGIN)),
    ("institution POST own",        (DONE,  DONE,    DONE,    404,    DONE, 403,  403,   LOGIN)),
    ("upload",                      (200,   200,     200,     200,    200,  200,  403,   LOGIN)),
    ("units",                       (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("unit new",                    (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
    ("unit edit own",               (200,   200,     200,     404,    403,  200,  403,   LOGIN)),
    ("partner new",                 (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
    ("meetings",                    (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("meeting new",                 (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
    ("action new",                  (200,   200,     200,     200,    403,  200,  403,   LOGIN)),
    ("action status own",           (DONE,  DONE,    DONE,    404,    404,  DONE, 403,   LOGIN)),
    ("action status other",         (DONE,  DONE,    404,     DONE,   404,  DONE, 403,   LOGIN)),
    # removal (a confirmation page, then POST) is scoped like an edit
    ("instrument delete own",       (200,   200,     200,     404,    403,  403,  403,   LOGIN)),
    ("instrument delete POST other", (DONE, DONE,    404,     DONE,   404,  403,  403,   LOGIN)),
    ("budget delete kab",           (200,   200,     200,     404,    404,  403,  403,   LOGIN)),
    ("budget delete POST apbdes",   (DONE,  DONE,    DONE,    404,    DONE, 403,  403,   LOGIN)),
    ("unit delete own",             (200,   200,     200,     404,    403,  200,  403,   LOGIN)),
    ("unit delete POST own",        (DONE,  DONE,    DONE,    404,    403,  DONE, 403,   LOGIN)),
    ("partner delete own",          (200,   200,     200,     404,    404,  200,  403,   LOGIN)),
    # the province's meeting: read by every region it gave an action (Muba, Sukarami, Palembang), changed by the
    # province (and BPJS, which works province-wide)
    ("meeting",                     (200,   200,     200,     200,    200,  200,  200,   LOGIN)),
    ("meeting edit",                (200,   200,     403,     403,    403,  200,  403,   LOGIN)),
    ("meeting delete",              (200,   200,     403,     403,    403,  200,  403,   LOGIN)),
    ("meeting delete POST",         (DONE,  DONE,    403,     403,    403,  DONE, 403,   LOGIN)),
    ("action edit own",             (200,   200,     200,     404,    404,  200,  403,   LOGIN)),
    # an action the province's meeting decided: its owner (Palembang) reports progress but does not remove it
    ("action delete POST other",    (DONE,  DONE,    404,     403,    404,  DONE, 403,   LOGIN)),
]  # fmt: skip
CASES = [(name, role, expected) for name, row in MATRIX for role, expected in zip(ROLES, row, strict=True)]


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_access(world: dict[str, Any], client_for: Callable[[str], Client], name: str, role: str,
                expected: int | str) -> None:  # fmt: skip
    assert_answer(client_for(role), role, *target(name), expected)


#: Every route under /komitmen/ and the matrix rows that reach it (a new page must get a row here).
ROUTES = {
    "komitmen/": "overview", "komitmen/skor.xlsx": "export own kab", "komitmen/regulasi/": "instruments",
    "komitmen/regulasi/baru/": "instrument new", "komitmen/regulasi/<int:pk>/ubah/": "instrument edit own",
    "komitmen/regulasi/<int:pk>/dokumen/": "document own", "komitmen/anggaran/": "budgets",
    "komitmen/anggaran/baru/": "budget new", "komitmen/anggaran/<int:pk>/ubah/": "budget edit kab",
    "komitmen/kelembagaan/": "institutions", "komitmen/kelembagaan/unggah/": "upload",
    "komitmen/kelembagaan/<str:desa>/ubah/": "institution edit own", "komitmen/ekosistem/": "units",
    "komitmen/ekosistem/baru/": "unit new", "komitmen/ekosistem/<int:pk>/ubah/": "unit edit own",
    "komitmen/mitra/baru/": "partner new", "komitmen/mitra/<int:pk>/ubah/": "partner edit (test_pages)",
    "komitmen/rapat/": "meetings", "komitmen/rapat/baru/": "meeting new",
    "komitmen/tindak-lanjut/baru/": "action new", "komitmen/tindak-lanjut/<int:pk>/status/": "action status own",
    "komitmen/regulasi/<int:pk>/hapus/": "instrument delete own",
    "komitmen/anggaran/<int:pk>/hapus/": "budget delete kab",
    "komitmen/ekosistem/<int:pk>/hapus/": "unit delete own", "komitmen/mitra/<int:pk>/hapus/": "partner delete own",
    "komitmen/rapat/<int:pk>/": "meeting", "komitmen/rapat/<int:pk>/ubah/": "meeting edit",
    "komitmen/rapat/<int:pk>/hapus/": "meeting delete", "komitmen/tindak-lanjut/<int:pk>/ubah/": "action edit own",
    "komitmen/tindak-lanjut/<int:pk>/hapus/": "action delete POST other",
}  # fmt: skip


def test_the_matrix_covers_every_commitment_page() -> None:
    from django.urls import URLResolver, get_resolver

    found = set()
    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver) and str(top.pattern) == "komitmen/":
            found = {f"komitmen/{p.pattern}" for p in top.url_patterns}
    assert found == set(ROUTES)
    rows = {name for name, _ in MATRIX}
    assert {r for r in ROUTES.values() if "(" not in r} <= rows


def test_partner_edit_is_scoped(world: dict[str, Any], client_for: Callable[[str], Client]) -> None:
    partner = services.create_partner(None, {"region": MUBA, "name": "Bank Sumsel Babel", "kind": "bank"})
    path = f"/komitmen/mitra/{partner.pk}/ubah/"
    assert client_for("kab_muba").get(path).status_code == 200 and client_for("bpjs").get(path).status_code == 200
    assert client_for("kab_plg").get(path).status_code == 404 and client_for("viewer").get(path).status_code == 403
    assert client_for("desa").get(path).status_code == 404  # partners of the kab/kota lie above the village
