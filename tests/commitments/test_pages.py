"""The commitment pages (``/komitmen/``): every page renders for each role with the world's hand-computed figures
(tests/commitments/backend_world.py), forms keep what was typed and show errors beside their fields, changes go
through the services and are scoped (a kab/kota officer edits their own region only; a village operator their
desa's institutions and APBDes line; viewers read with no edit buttons; other regions 404; anonymous → login).

Figures of the world for 2026 (the services' worked example, tests/commitments/test_scorecard.py): Musi Banyuasin
scores 50 ("Perlu perhatian": regulation in force, no payment yet, 2 of 242 villages fully protected, one overdue
action), Palembang 25 ("Tertinggal": a draft Perwali, no budget, one overdue action); Kecamatan 16.06.01 has 9 RT
positions with 7 registered and 6 active heads.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from tests.accounts import conftest as accounts
from tests.commitments.backend_world import KAYU_ARA, KEC, MUBA, PALEMBANG, SUKARAMI, YEAR, make_world
from ucj.commitments import services
from ucj.commitments.models import BudgetCommitment, FollowUpAction, Instrument, VillageInstitution

ROLES = accounts.ROLES
client_for = accounts.client_for  # the fixture: a client logged in per role ("anon": not logged in)
PAGES = ["/komitmen/", "/komitmen/regulasi/", "/komitmen/anggaran/", "/komitmen/kelembagaan/", "/komitmen/ekosistem/",
         "/komitmen/rapat/"]  # fmt: skip
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
#: A Perbup as a kab/kota officer types it (the PDF is added per test).
PERBUP = {"region": MUBA, "kind": "perbup", "number": "7 Tahun 2026", "date": "2026-03-02",
          "title": "Perlindungan pekerja rentan", "status": "ditetapkan", "groups": ["pekerja_rentan", "rt"],
          "payer": "apbd_kabkota", "note": ""}  # fmt: skip


@pytest.fixture
def world(db: Any, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The backend's world in 2026 (the year the figures are computed for), documents under a temporary folder."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr("ucj.commitments.pages.this_year", lambda: YEAR)
    monkeypatch.setattr("ucj.commitments.services.default_year", lambda: YEAR)  # the year pages open on
    return make_world()


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def row_text(response: Any, marker: str) -> str:
    """The text of the table row whose opening tag carries ``marker`` (e.g. ``data-code="16.06"``)."""
    match = re.search(rf"<tr[^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", response.content.decode(), re.S)
    assert match, marker
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_every_role(world: Any, client_for: Callable[[str], Client], role: str,
                                           path: str) -> None:  # fmt: skip
    response = client_for(role).get(path)
    assert response.status_code == 200, text(response)[:2000]
    assert 'href="/komitmen/"' in response.content.decode()  # the nav link


@pytest.mark.parametrize("path", [*PAGES, "/komitmen/regulasi/baru/", "/komitmen/skor.xlsx"])
def test_anonymous_goes_to_login(db: Any, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith(f"/akun/masuk/?next={path}")


# --- the scorecard -------------------------------------------------------------------------------------------


def test_province_scorecard_ranks_kabkota_with_the_rule(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("provinsi").get("/komitmen/", {"year": YEAR})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 17 and rows[0]["code"] == MUBA and rows[0]["rank"] == 1
    muba = row_text(response, f'data-code="{MUBA}"')
    assert muba.startswith("1 Kabupaten Musi Banyuasin Perlu perhatian")
    assert " 50 berlaku Anggota BPD, Kepala desa," in muba and "16.000.000 0,0% 65 / —" in muba
    assert "2 / 242 (0,8%)" in muba
    assert "Penganggaran (kurang): Realisasi 0% dari yang diharapkan sampai saat ini" in muba  # none paid yet
    assert "Cakupan terhadap target (tanpa data, tidak dinilai)" in muba
    palembang = row_text(response, f'data-code="{PALEMBANG}"')
    assert "Tertinggal" in palembang and "rencana/draf" in palembang
    page = text(response)
    assert "Aturan skor" in page and "Status gabungan" in page and "hijau: skor ≥ 70" in page
    assert len(response.context["rules"]) == 8
    block = re.search(r'id="commitments-data"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    assert block
    data = json.loads(block[1])
    assert data["map_url"] == "/api/v1/coverage/map?region=16&by=kabkota"
    assert {c["code"]: c["status"] for c in data["children"]}[PALEMBANG] == "merah"
    assert data["statuses"]["merah"]["symbol"] != data["statuses"]["kuning"]["symbol"]  # not colour alone
    assert f'href="/komitmen/?region={MUBA}&amp;year={YEAR}"' in response.content.decode()  # drill-down


def test_drill_down_to_kecamatan_desa_and_one_village(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    kab = client.get("/komitmen/")  # the officer's own region by default
    assert kab.context["where"].code == MUBA and kab.context["where"].by == "kecamatan"
    assert KEC in {r["code"] for r in kab.context["rows"]}
    kec = client.get("/komitmen/", {"region": KEC})
    assert kec.context["where"].by == "desa" and SUKARAMI in {r["code"] for r in kec.context["rows"]}
    assert 'href="/komitmen/?region=16.06&amp;year=' in kec.content.decode()  # breadcrumb back up
    desa = client.get("/komitmen/", {"region": SUKARAMI})
    assert desa.context["rows"] == [] and desa.context["map"] is None
    roles = {r["role"]: r for r in desa.context["top"]["role_rows"]}
    assert (roles["rt"]["positions"], roles["rt"]["registered"], roles["rt"]["active"]) == (2, 3, 2)
    assert "Terlindungi penuh" in text(desa)


def test_other_region_is_404(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    for path in PAGES:
        assert client.get(path, {"region": PALEMBANG}).status_code == 404, path
    assert client.get("/komitmen/skor.xlsx", {"region": PALEMBANG}).status_code == 404
    assert client_for("desa").get("/komitmen/", {"region": "16.06.01.2002"}).status_code == 404


def test_scorecard_xlsx_numbers_as_numbers(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("provinsi").get("/komitmen/skor.xlsx", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'komitmen-16-{YEAR}.xlsx"')
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    head = rows[0]
    assert len(rows) == 1 + 1 + 17  # the province, then its kab/kota ranked
    muba = rows[2]
    assert muba[:4] == [MUBA, "Kabupaten Musi Banyuasin", 50, "Perlu perhatian"]
    assert muba[head.index("Pagu (Rp)")] == 16_000_000  # the kab/kota's two lines and Sukarami's APBDes
    assert muba[head.index("Desa")] == 242
    assert muba[head.index("Ketua RT: jabatan")] == 10 and muba[head.index("Tindak lanjut terlambat")] == 1
    assert [r[0] for r in book.get_sheet_by_index(1).to_python()][1] == "Kebijakan dan regulasi"
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:  # text stays text: no formula anywhere
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_english(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("provinsi")
    client.cookies["django_language"] = "en"
    page = text(client.get("/komitmen/", {"year": YEAR}))
    assert "Needs attention" in page and "Behind" in page and "Scoring rule" in page and "Composite status" in page
    assert "Perlu perhatian" not in page


# --- regulations ---------------------------------------------------------------------------------------------


def test_viewer_reads_regulations_without_edit_buttons(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("viewer").get("/komitmen/regulasi/", {"region": MUBA})
    page = text(response)
    assert "2 Tahun 2021" in page and "Nasional" in page and "5 Tahun 2025" in page and "1 Tahun 2024" in page
    assert "Tambah regulasi" not in page and "/ubah/" not in response.content.decode()
    assert client_for("viewer").get("/komitmen/regulasi/baru/").status_code == 403


def test_kabkota_adds_a_regulation_with_its_pdf(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    form = client.get("/komitmen/regulasi/baru/").context["form"]
    assert [c for c, _ in form.fields["region"].choices] == [MUBA]  # only their own kab/kota
    pdf = SimpleUploadedFile("Perbup 7 2026.pdf", PDF, content_type="application/pdf")
    response = client.post("/komitmen/regulasi/baru/", {**PERBUP, "document": pdf})
    assert response.status_code == 302 and response["Location"] == f"/komitmen/regulasi/?region={MUBA}"
    made = Instrument.objects.get(number="7 Tahun 2026")
    assert (made.region_id, made.groups, made.document_name) == (MUBA, ["pekerja_rentan", "rt"], "Perbup 7 2026.pdf")
    listing = client.get("/komitmen/regulasi/", {"region": MUBA}).content.decode()
    assert f"/komitmen/regulasi/{made.pk}/dokumen/" in listing and f"/komitmen/regulasi/{made.pk}/ubah/" in listing
    download = client.get(f"/komitmen/regulasi/{made.pk}/dokumen/")
    assert download.status_code == 200 and download.getvalue() == PDF
    assert download["Content-Type"] == "application/pdf"
    assert client_for("viewer").get(f"/komitmen/regulasi/{made.pk}/dokumen/").status_code == 200  # sees the region
    assert client_for("kab_plg").get(f"/komitmen/regulasi/{made.pk}/dokumen/").status_code == 404
    edit = client.get(f"/komitmen/regulasi/{made.pk}/ubah/")
    assert "Hapus dokumen tersimpan (Perbup 7 2026.pdf)" in text(edit)
    assert client.post(f"/komitmen/regulasi/{made.pk}/ubah/", {**PERBUP, "remove_document": "on"}).status_code == 302
    made.refresh_from_db()
    assert made.document_path == "" and client.get(f"/komitmen/regulasi/{made.pk}/dokumen/").status_code == 404


def test_regulation_form_keeps_input_and_shows_errors(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    fake = SimpleUploadedFile("perbup.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post("/komitmen/regulasi/baru/", {**PERBUP, "date": "2 Maret", "document": fake})
    assert response.status_code == 200
    form = response.context["form"]
    assert "date" in form.errors and form["title"].value() == "Perlindungan pekerja rentan"
    assert 'value="Perlindungan pekerja rentan"' in response.content.decode()
    fake = SimpleUploadedFile("perbup.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post("/komitmen/regulasi/baru/", {**PERBUP, "document": fake})
    assert response.status_code == 200 and "Dokumen harus PDF" in text(response)  # the service refuses it
    assert "must be a PDF" not in text(response)  # in the page's language only
    txt = SimpleUploadedFile("perbup.txt", b"%PDF-", content_type="text/plain")
    assert "document" in client.post("/komitmen/regulasi/baru/", {**PERBUP, "document": txt}).context["form"].errors
    assert not Instrument.objects.filter(number="7 Tahun 2026").exists()


def test_kabkota_edits_own_regulation_only(world: Any, client_for: Callable[[str], Client]) -> None:
    own = Instrument.objects.get(region_id=MUBA)
    province = Instrument.objects.get(region_id="16")
    other = Instrument.objects.get(region_id=PALEMBANG)
    client = client_for("kab_muba")
    page = client.get(f"/komitmen/regulasi/{own.pk}/ubah/")
    assert page.status_code == 200 and page.context["form"]["number"].value() == "5 Tahun 2025"
    response = client.post(f"/komitmen/regulasi/{own.pk}/ubah/", {**PERBUP, "number": "5 Tahun 2025 (perubahan)"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.number == "5 Tahun 2025 (perubahan)" and own.groups == ["pekerja_rentan", "rt"]
    assert client.get(f"/komitmen/regulasi/{province.pk}/ubah/").status_code == 403  # seen (above), not theirs
    assert client.get(f"/komitmen/regulasi/{other.pk}/ubah/").status_code == 404
    assert client.post(f"/komitmen/regulasi/{other.pk}/ubah/", {**PERBUP, "region": PALEMBANG}).status_code == 404


# --- budget commitments --------------------------------------------------------------------------------------


def test_budget_list_with_computed_realisation(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("kab_muba").get("/komitmen/anggaran/", {"year": YEAR})
    rows = response.context["rows"]
    assert [(r["payer"], r["allocated"]) for r in rows] == [("apbd_kabkota", 10_000_000),
                                                             ("bantuan_keuangan", 5_000_000),
                                                             ("apbdes", 1_000_000)]  # fmt: skip
    assert "bersama 2 baris: 0" in text(response)  # APBD and bantuan keuangan share the kab/kota's bills
    assert row_text(response, 'id="budget-total"').startswith("Jumlah 16.000.000 0 0,0% 65")


def test_budget_form_reads_indonesian_amounts(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    data = {"region": MUBA, "year": "2027", "payer": "apbd_kabkota", "source": "", "allocated": "Rp 2.500.000,-",
            "workers": "12", "scenario": "", "document_ref": "DPA 2027", "note": ""}  # fmt: skip
    response = client.post("/komitmen/anggaran/baru/", data)
    assert response.status_code == 302 and response["Location"] == f"/komitmen/anggaran/?region={MUBA}&year={YEAR}"
    assert BudgetCommitment.objects.get(year=2027).allocated == 2_500_000
    bad = client.post("/komitmen/anggaran/baru/", {**data, "allocated": "dua juta"})
    assert "allocated" in bad.context["form"].errors and 'value="dua juta"' in bad.content.decode()
    other = client.post("/komitmen/anggaran/baru/", {**data, "region": PALEMBANG})
    assert "region" in other.context["form"].errors  # not a choice: only their own region is offered


def test_village_operator_keeps_only_the_apbdes_line(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    form = client.get("/komitmen/anggaran/baru/").context["form"]
    assert [c for c, _ in form.fields["region"].choices] == [SUKARAMI]
    assert [c for c, _ in form.fields["payer"].choices] == ["apbdes"]
    own = BudgetCommitment.objects.get(region_id=SUKARAMI)
    kab = BudgetCommitment.objects.get(region_id=MUBA, payer="apbd_kabkota")
    listing = client.get("/komitmen/anggaran/", {"year": YEAR}).content.decode()
    assert f"/komitmen/anggaran/{own.pk}/ubah/" in listing and "Tambah komitmen anggaran" in listing
    data = {"region": SUKARAMI, "year": str(YEAR), "payer": "apbdes", "source": "add", "allocated": "1.200.000",
            "workers": "6", "scenario": "", "document_ref": "APBDes 2026", "note": ""}  # fmt: skip
    assert client.post(f"/komitmen/anggaran/{own.pk}/ubah/", data).status_code == 302
    own.refresh_from_db()
    assert own.allocated == 1_200_000
    assert client.get(f"/komitmen/anggaran/{kab.pk}/ubah/").status_code == 404  # the kab/kota's line is above them
    source = client.post("/komitmen/anggaran/baru/", {**data, "source": ""})
    assert source.status_code == 200, (source.status_code, source.get("Location"))
    assert "source" in source.context["form"].errors


# --- village institutions ------------------------------------------------------------------------------------


def test_institutions_add_up_from_desa_to_kecamatan(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("provinsi").get("/komitmen/kelembagaan/", {"region": KEC})
    assert response.status_code == 200 and response.context["where"].by == "desa"
    assert row_text(response, 'id="institution-total"').startswith("Jumlah = Sekayu")
    top = {r["role"]: r for r in response.context["top"]["role_rows"]}
    assert (top["rt"]["positions"], top["rt"]["registered"], top["rt"]["active"]) == (9, 7, 6)
    rows = {r["code"]: r for r in response.context["rows"]}
    assert sum(r["institutions"]["rt"]["positions"] for r in rows.values()) == 9
    assert "ya" in row_text(response, f'data-code="{SUKARAMI}"')  # fully protected
    kayu = row_text(response, f'data-code="{KAYU_ARA}"')
    assert kayu.count("tidak ada") == 3  # a kelurahan: no kepala desa, perangkat, BPD


def test_village_operator_edits_own_institutions_only(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    page = client.get("/komitmen/kelembagaan/")
    assert f"/komitmen/kelembagaan/{SUKARAMI}/ubah/" in page.content.decode()
    data = {"kepala_desa": "1", "perangkat_desa": "4", "bpd": "2", "rt": "3", "rw": "1", "lpm": "", "linmas": "",
            "kader": "", "source": "Profil desa 2026"}  # fmt: skip
    assert client.post(f"/komitmen/kelembagaan/{SUKARAMI}/ubah/", data).status_code == 302
    assert VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 4
    bad = client.post(f"/komitmen/kelembagaan/{SUKARAMI}/ubah/", {**data, "rt": "-1"})
    assert "rt" in bad.context["form"].errors and bad.context["form"]["rt"].value() == "-1"
    assert client.get("/komitmen/kelembagaan/16.06.01.2002/ubah/").status_code == 404
    assert client.post("/komitmen/kelembagaan/16.06.01.2002/ubah/", data).status_code == 404
    assert client_for("viewer").get(f"/komitmen/kelembagaan/{SUKARAMI}/ubah/").status_code == 403


def test_positions_of_a_village_not_yet_reported(world: Any, client_for: Callable[[str], Client]) -> None:
    from ucj.regions.models import Region

    desa = Region.objects.filter(parent_id=KEC, level=4, code__gt=f"{KEC}.2").exclude(
        code__in=VillageInstitution.objects.values("desa_id")).order_by("code").first()  # fmt: skip
    assert desa is not None
    client = client_for("kab_muba")
    page = client.get(f"/komitmen/kelembagaan/{desa.code}/ubah/")
    assert page.status_code == 200 and page.context["form"]["rt"].value() is None
    data = {"kepala_desa": "1", "perangkat_desa": "6", "bpd": "5", "rt": "8", "rw": "3", "source": "Prodeskel"}
    assert client.post(f"/komitmen/kelembagaan/{desa.code}/ubah/", data).status_code == 302
    made = VillageInstitution.objects.get(desa_id=desa.code)
    assert (made.perangkat_desa, made.rt, made.source) == (6, 8, "Prodeskel")
    assert client.get("/komitmen/kelembagaan/16.99.99.9999/ubah/").status_code == 404  # no such village


def test_kelurahan_form_has_no_desa_roles(world: Any, client_for: Callable[[str], Client]) -> None:
    form = client_for("kab_muba").get(f"/komitmen/kelembagaan/{KAYU_ARA}/ubah/").context["form"]
    assert "kepala_desa" not in form.fields and "bpd" not in form.fields and form["rt"].value() == 4


def test_institution_file_checked_then_loaded(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    good = "Kode Desa,Nama Desa,Kepala Desa,Perangkat Desa,BPD,RT,RW\n16.06.01.2001,Sukarami,1,5,3,4,2\n"
    response = client.post("/komitmen/kelembagaan/unggah/", {"file": SimpleUploadedFile("k.csv", good.encode())})
    assert response.status_code == 200 and not response.context["result"]["refused"]
    assert 'name="confirm"' in response.content.decode()
    assert VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 3  # a check stores nothing
    token = client.session["commitments_held_upload"]["token"]
    done = client.post("/komitmen/kelembagaan/unggah/", {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 5


def test_institution_file_with_bad_rows_is_refused(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("desa")
    bad = (
        "Kode Desa,Kepala Desa,Perangkat Desa,BPD,RT,RW\n16.06.01.2001,1,5,3,4,2\n"
        "16.06.01.2002,1,2,1,3,1\n"
    )  # fmt: skip  (row 3: another village)
    response = client.post("/komitmen/kelembagaan/unggah/", {"file": SimpleUploadedFile("k.csv", bad.encode())})
    result = response.context["result"]
    assert result["refused"] and any(f["row"] == 3 for f in result["findings"])
    assert 'name="confirm"' not in response.content.decode()
    assert VillageInstitution.objects.get(desa_id=SUKARAMI).perangkat_desa == 3
    assert client_for("viewer").get("/komitmen/kelembagaan/unggah/").status_code == 403


# --- ecosystem units, partners, meetings, actions ------------------------------------------------------------


def test_units_show_workers_known_vs_covered(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("bpjs").get("/komitmen/ekosistem/", {"region": MUBA})
    pasar = row_text(response, f'data-id="{world["units"][0].pk}"')
    assert pasar.startswith("Pasar Sekayu Pasar (Tradisional) 16.06.01.2001 Sukarami 4 4 3 (75,0%) belum")
    assert "Tambah unit" in text(response) and "Tambah mitra" in text(response)
    data = {"kind": "pasar", "name": "Pasar Baru", "subtype": "modern", "desa": "1606012001", "manager": "",
            "workers": "30", "note": ""}  # fmt: skip
    assert client_for("bpjs").post("/komitmen/ekosistem/baru/", data).status_code == 302
    bad = client_for("kab_plg").post("/komitmen/ekosistem/baru/", data)
    assert bad.status_code == 403  # a village outside their region


def test_overdue_actions_highlighted_and_status_changed(world: Any, client_for: Callable[[str], Client]) -> None:
    late = FollowUpAction.objects.get(owner_id=MUBA, status="rencana")
    client = client_for("kab_muba")
    response = client.get("/komitmen/rapat/")
    assert re.search(rf'<tr data-id="{late.pk}" class="overdue">', response.content.decode())
    assert "1 terlambat" in text(response)
    assert client_for("viewer").get("/komitmen/rapat/").content.decode().count('class="inline-form"') == 0
    done = client.post(f"/komitmen/tindak-lanjut/{late.pk}/status/", {f"a{late.pk}-status": "selesai"})
    assert done.status_code == 302
    late.refresh_from_db()
    assert late.status == "selesai" and late.done_on is not None
    other = FollowUpAction.objects.get(owner_id=PALEMBANG)
    assert client.post(f"/komitmen/tindak-lanjut/{other.pk}/status/", {f"a{other.pk}-status": "selesai"}).status_code \
        == 404  # fmt: skip
    assert client_for("viewer").post(f"/komitmen/tindak-lanjut/{late.pk}/status/",
                                     {f"a{late.pk}-status": "batal"}).status_code == 403  # fmt: skip


def test_meeting_and_action_forms(world: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    meeting = {"region": MUBA, "date": "2026-11-20", "title": "Rapat evaluasi", "place": "Sekayu", "organiser": "",
               "summary": ""}  # fmt: skip
    assert client.post("/komitmen/rapat/baru/", meeting).status_code == 302
    action = {"owner": MUBA, "meeting": "", "decision": "Susun Perbup RT/RW", "due_date": "2026-12-31",
              "status": "rencana", "note": ""}  # fmt: skip
    assert client.post("/komitmen/tindak-lanjut/baru/", action).status_code == 302
    assert FollowUpAction.objects.filter(decision="Susun Perbup RT/RW", owner_id=MUBA).exists()
    missing = client.post("/komitmen/tindak-lanjut/baru/", {**action, "decision": ""})
    assert "decision" in missing.context["form"].errors


def test_dashboard_card_shows_status_and_overdue_actions(world: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("kab_muba").get("/cakupan/")
    card = re.search(r'<section class="card commitment-card".*?</section>', response.content.decode(), re.S)
    assert card, "no commitment card"
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card[0])).split())
    assert f"Komitmen daerah {YEAR}" in words and "Perlu perhatian" in words and "Skor: 50 / 100" in words
    assert "1 tindak lanjut terlambat" in words and "RTL — Kabupaten Musi Banyuasin, tenggat 2025-03-31" in words
    late = FollowUpAction.objects.get(owner_id=MUBA, status="rencana")
    services.set_action_status(None, late.pk, "selesai")  # the card is cached: a change must show at once
    again = client_for("kab_muba").get("/cakupan/").content.decode()
    assert "Tidak ada tindak lanjut yang terlambat." in again and "Skor: 58 / 100" in again  # 7 of 12 points


def test_dashboard_card_follows_the_scorecard_setting(world: Any, client_for: Callable[[str], Client],
                                                      settings: Any) -> None:  # fmt: skip
    """The card's cache key carries the thresholds: a changed ``UCJ_SCORECARD`` shows at once, not after an hour."""
    assert "Perlu perhatian" in client_for("kab_muba").get("/cakupan/").content.decode()  # 50: kuning, now cached
    settings.UCJ_SCORECARD = {"status_red": 60}
    assert "Tertinggal" in client_for("kab_muba").get("/cakupan/").content.decode()  # 50 < 60: merah
