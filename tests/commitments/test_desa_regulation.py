"""A desa's own regulation (Perdes / Perkades) added from the page, by the village operator of that desa or by the
kab/kota officer of the regency it lies in (tests/commitments/backend_world.py: Desa Sukarami and Desa Lumpatan in
Musi Banyuasin, Kelurahan Kayu Ara, which has no Perdes).

The village operator changes the regulations of their own desa only — never the kab/kota's, the province's or
another desa's — and the desa's own Perdes in force makes its regulation score *baik*.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts import conftest as accounts
from tests.commitments import test_pages as pages_tests
from tests.commitments.backend_world import KAYU_ARA, LUMPATAN, MUBA, SUKARAMI, YEAR
from tests.commitments.test_pages import text
from ucj.commitments import services
from ucj.commitments.models import Instrument

client_for = accounts.client_for  # the fixture: a client logged in per role ("anon": not logged in)
world = pages_tests.world  # the backend's world in 2026, documents under a temporary folder
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PERDES = {"region": SUKARAMI, "kind": "perdes", "number": "3 Tahun 2026", "date": "2026-04-01",
          "title": "Perlindungan jaminan sosial aparat desa dan RT/RW", "status": "ditetapkan",
          "groups": ["kepala_desa", "perangkat_desa", "bpd", "rt", "rw"], "payer": "apbdes", "note": ""}  # fmt: skip


def test_village_operator_adds_their_desas_perdes(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    listing = client.get("/komitmen/regulasi/").content.decode()
    assert 'id="add-instrument"' in listing
    form = client.get("/komitmen/regulasi/baru/")
    assert form.status_code == 200 and [c for c, _ in form.context["form"].fields["region"].choices] == [SUKARAMI]
    pdf = SimpleUploadedFile("Perdes 3 2026.pdf", PDF, content_type="application/pdf")
    done = client.post("/komitmen/regulasi/baru/", {**PERDES, "document": pdf})
    assert done.status_code == 302 and done["Location"] == f"/komitmen/regulasi/?region={SUKARAMI}"
    made = Instrument.objects.get(number="3 Tahun 2026")
    assert (made.region_id, made.kind, made.document_name) == (SUKARAMI, "perdes", "Perdes 3 2026.pdf")
    listing = client.get(f"/komitmen/regulasi/?region={SUKARAMI}").content.decode()
    assert f"/komitmen/regulasi/{made.pk}/ubah/" in listing and f"/komitmen/regulasi/{made.pk}/hapus/" in listing
    perbup = Instrument.objects.get(region_id=MUBA)
    assert f"/komitmen/regulasi/{perbup.pk}/ubah/" not in listing  # the kab/kota's applies there, not theirs
    assert client.get(f"/komitmen/regulasi/{made.pk}/ubah/").status_code == 200
    card = services.scorecard(None, SUKARAMI, YEAR)["region"]
    assert card["regulation"]["in_force"] and card["scores"]["regulation"] == "baik"


def test_village_operator_is_kept_to_desa_regulations_of_their_desa(
    world: Any, client_for: Callable[[str], Client]
) -> None:
    client = client_for("desa")
    perbup = client.post("/komitmen/regulasi/baru/", {**PERDES, "kind": "perbup"})
    assert perbup.status_code == 200 and "tidak dikeluarkan oleh wilayah" in text(perbup)  # a Perbup is a kab/kota's
    other = client.post("/komitmen/regulasi/baru/", {**PERDES, "region": LUMPATAN})
    assert other.status_code == 200 and "region" in other.context["form"].errors
    kab = client.post("/komitmen/regulasi/baru/", {**PERDES, "region": MUBA, "kind": "perbup"})
    assert kab.status_code == 200 and "region" in kab.context["form"].errors
    assert not Instrument.objects.filter(number="3 Tahun 2026").exists()
    with pytest.raises(services.CommitmentForbidden):
        services.update_instrument(client.get("/").wsgi_request.user, Instrument.objects.get(region_id=MUBA).pk,
                                   {"status": "dicabut"})  # fmt: skip


def test_kabkota_officer_adds_a_perkades_for_a_desa_in_scope(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    form = client.get(f"/komitmen/regulasi/baru/?region={LUMPATAN}")
    assert form.status_code == 200 and form.context["form"]["region"].value() == LUMPATAN
    assert "data-region-picker" in form.content.decode()  # the tree reaches every desa of the regency
    done = client.post("/komitmen/regulasi/baru/", {**PERDES, "region": LUMPATAN, "kind": "perkades"})
    assert done.status_code == 302
    assert Instrument.objects.get(number="3 Tahun 2026").region_id == LUMPATAN
    kelurahan = client.post("/komitmen/regulasi/baru/", {**PERDES, "region": KAYU_ARA, "number": "4"})
    assert kelurahan.status_code == 200 and "tidak dikeluarkan oleh wilayah" in text(kelurahan)
    outside = client.post("/komitmen/regulasi/baru/", {**PERDES, "region": "16.71.01.1001", "number": "5"})
    assert outside.status_code == 200 and "region" in outside.context["form"].errors  # Palembang's: not a choice
    assert Instrument.objects.filter(kind__in=["perdes", "perkades"]).count() == 1


def test_the_desa_page_offers_its_own_regulation(world: Any, client_for: Callable[[str], Client]) -> None:
    """The list of a desa links "add" to a form that opens on that desa."""
    page = client_for("kab_muba").get(f"/komitmen/regulasi/?region={SUKARAMI}").content.decode()
    assert f'href="/komitmen/regulasi/baru/?region={SUKARAMI}"' in page
