"""Personal data (UU 27/2022 PDP): masking per role in pages, API and exports; nothing in URLs, logs or error
pages."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.accounts.conftest import FULL_ROLES, PALEMBANG, SUKARAMI, World, roster_file
from ucj.accounts.logfilter import PersonalDataFilter
from ucj.accounts.privacy import mask_digits, mask_name
from ucj.registry.models import ImportBatch

OWN_NIK_MASKED = "1606********0012"
#: One good row, one with a 17-digit NIK (the real NIK plus a stray digit) and one from another kabupaten.
MESSY = ("NIK,Nama,Kode Desa\n1606011301900044,Ani Rahma,16.06.01.2001\n"
         "16060113019000551,Dedi Kurnia,16.06.01.2001\n1671011301900045,Rudi Hartono,16.71.01.1001\n")  # fmt: skip


# --- pages and API ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*FULL_ROLES, "viewer"])
def test_lists_always_mask_nik(world: World, client_for: Callable[[str], Client], role: str) -> None:
    client = client_for(role)
    page = client.get("/registri/").content.decode()
    items = {i["id"]: i for i in client.get("/api/v1/participants").json()["items"]}
    assert world.own.nik not in page and OWN_NIK_MASKED in page
    assert items[world.own.public_hex]["nik"] == OWN_NIK_MASKED
    assert all(world.own.nik != i["nik"] and world.other.nik != i["nik"] for i in items.values())
    names_visible = role != "viewer"
    assert ("Siti Aminah" in page) is names_visible and (mask_name("Siti Aminah") in page) is not names_visible
    assert items[world.own.public_hex]["name"] == ("Siti Aminah" if names_visible else "S*** A*****")


@pytest.mark.parametrize(("role", "full"), [(r, True) for r in FULL_ROLES] + [("viewer", False)])
def test_detail_shows_full_data_only_to_roles_that_need_it(
    world: World, client_for: Callable[[str], Client], role: str, full: bool
) -> None:
    client = client_for(role)
    page = client.get(f"/registri/peserta/{world.own.public_hex}/").content.decode()
    api = client.get(f"/api/v1/participants/{world.own.public_hex}").json()
    assert (world.own.nik in page) is full and (OWN_NIK_MASKED in page) is not full
    assert ("Siti Aminah" in page) is full and ("S*** A*****" in page) is not full
    assert (world.own.phone in page) is full  # phone and KPJ are hidden from viewers as well
    assert api["nik"] == (world.own.nik if full else OWN_NIK_MASKED)
    assert api["name"] == ("Siti Aminah" if full else "S*** A*****")


def test_viewer_with_one_village_role_sees_full_data_of_that_village_only(world: World) -> None:
    """Full view follows the region of the role that grants it: a province-wide viewer who also operates Desa
    Sukarami sees Sukarami in full and Palembang masked (and may edit only Sukarami)."""
    from tests.conftest import DEMO_PASSWORD
    from ucj.accounts.services import create_user

    user = create_user("dua-peran", role="viewer", region="16", password=DEMO_PASSWORD)
    create_user("dua-peran", role="desa", region=SUKARAMI, password=None)
    client = Client()
    client.force_login(user)

    own = client.get(f"/registri/peserta/{world.own.public_hex}/").content.decode()
    other = client.get(f"/registri/peserta/{world.other.public_hex}/").content.decode()
    assert world.own.nik in own and "Siti Aminah" in own
    assert world.other.nik not in other and "Budi Palembang" not in other and "1671********0003" in other
    assert client.get(f"/api/v1/participants/{world.other.public_hex}").json()["nik"] == "1671********0003"
    names = {i["id"]: i["name"] for i in client.get("/api/v1/participants").json()["items"]}
    assert names == {world.own.public_hex: "Siti Aminah", world.other.public_hex: mask_name("Budi Palembang")}
    listing = client.get("/registri/").content.decode()
    assert "Siti Aminah" in listing and "Budi Palembang" not in listing
    assert client.get(f"/registri/peserta/{world.own.public_hex}/ubah/").status_code == 200
    assert client.get(f"/registri/peserta/{world.other.public_hex}/ubah/").status_code == 403
    assert client.get(f"/registri/impor/{world.own_batch.pk}/ditolak.xlsx").status_code == 200
    assert client.get(f"/registri/impor/{world.other_batch.pk}/ditolak.xlsx").status_code == 403


# --- imports: findings and the rejected-rows export ---------------------------------------------------------


def _messy_batch(client: Client) -> ImportBatch:
    response = client.post("/registri/impor/unggah/", {"file": roster_file(MESSY), "region": ""})
    assert response.status_code == 302
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


@pytest.mark.parametrize(("role", "full"), [("desa", True), ("kab_muba", True), ("provinsi", True), ("viewer", False)])
def test_import_findings_mask_quoted_niks_for_viewers(
    world: World, client_for: Callable[[str], Client], role: str, full: bool
) -> None:
    batch = _messy_batch(client_for("desa"))
    assert (batch.accepted, batch.rejected) == (1, 2)
    body = client_for(role).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert "NIK_LENGTH" in body and "REGION_OUTSIDE" in body and PALEMBANG in body  # the findings are there
    assert ("16060113019000551" in body) is full
    assert ("1606*************" in body) is not full
    for name in ("Ani Rahma", "Dedi Kurnia", "Rudi Hartono"):
        assert name not in body  # the outcome page lists findings, never people


@pytest.mark.parametrize(("role", "status"), [("desa", 200), ("kab_muba", 200), ("bpjs", 200), ("admin", 200),
                                              ("viewer", 403), ("kab_plg", 404)])  # fmt: skip
def test_rejected_rows_export(world: World, client_for: Callable[[str], Client], role: str, status: int) -> None:
    from python_calamine import CalamineWorkbook

    batch = _messy_batch(client_for("desa"))
    response = client_for(role).get(f"/registri/impor/{batch.pk}/ditolak.xlsx")
    assert response.status_code == status
    if status != 200:
        assert b"Dedi" not in response.content and b"16060113019000551" not in response.content
        return
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == f'attachment; filename="ditolak-import-{batch.pk}.xlsx"'
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [r[:3] for r in rows[1:]] == [["16060113019000551", "Dedi Kurnia", SUKARAMI],
                                         ["1671011301900045", "Rudi Hartono", PALEMBANG]]  # fmt: skip


# --- nothing personal in URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize("term_of", ["nik", "name"])
def test_search_term_stays_out_of_urls(world: World, client_for: Callable[[str], Client], term_of: str) -> None:
    client = client_for("desa")
    term = world.own.nik if term_of == "nik" else "Siti Aminah"
    response = client.post("/registri/cari/", {"q": term, "filters": "segment=BPU"})
    assert response.status_code == 302 and response["Location"] == "/registri/?segment=BPU"
    assert client.session["registry_search"] == term  # travels in the POST body and the session only
    page = client.get(response["Location"])
    assert [r["p"].public_hex for r in page.context["rows"]] == [world.own.public_hex]
    for link in _links(page.content.decode()):
        assert world.own.nik not in link and "Siti" not in link and "Aminah" not in link
    cleared = client.post("/registri/cari/", {"q": "", "clear": "1"})
    assert cleared["Location"] == "/registri/" and client.session["registry_search"] == ""


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'(?:href|action|hx-get)="([^"]*)"', html)


@pytest.mark.parametrize(
    ("filters", "location"),
    [
        ("", "/registri/"),
        ("segment=BPU&ecosystem=desa", "/registri/?segment=BPU&ecosystem=desa"),
        ("q=1606014101900012&segment=PU", "/registri/?segment=PU"),  # a crafted form cannot put PII in the URL
        ("nama=Siti+Aminah&nik=1606014101900012", "/registri/"),
        ("region=16.06&after=5&before=9", "/registri/?region=16.06"),  # a new search starts at page one
        ("status=aktif\r\nSet-Cookie: x=1", "/registri/?status=aktif%0D%0ASet-Cookie%3A+x%3D1"),
    ],
)
def test_search_redirect_keeps_only_list_filters(
    world: World, client_for: Callable[[str], Client], filters: str, location: str
) -> None:
    response = client_for("desa").post("/registri/cari/", {"q": world.own.nik, "filters": filters})
    assert response.status_code == 302 and response["Location"] == location


def test_urls_of_pages_carry_no_personal_data(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("kab_muba")
    for path in ("/", "/registri/", f"/registri/peserta/{world.own.public_hex}/",
                 f"/registri/peserta/{world.own.public_hex}/ubah/", "/registri/impor/"):  # fmt: skip
        for link in _links(client.get(path).content.decode()):
            assert world.own.nik not in link and "Siti" not in link, (path, link)


# --- nothing personal in error pages -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["kab_plg", "desa"])
def test_not_found_answers_leak_nothing(
    world: World, client_for: Callable[[str], Client], role: str, caplog: pytest.LogCaptureFixture
) -> None:
    p = world.own if role == "kab_plg" else world.other
    client = client_for(role)
    for path in (f"/registri/peserta/{p.public_hex}/", f"/registri/peserta/{p.public_hex}/ubah/",
                 f"/api/v1/participants/{p.public_hex}"):  # fmt: skip
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 404
        assert p.nik not in body and p.name.split()[0] not in body and mask_name(p.name) not in body
        assert p.nik[:4] + "*" not in body  # not even the masked form
    assert p.nik not in caplog.text and p.name not in caplog.text


def test_forbidden_answers_leak_nothing(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("viewer").get(f"/registri/peserta/{world.own.public_hex}/ubah/")
    assert response.status_code == 403
    assert world.own.nik not in response.content.decode() and "Siti" not in response.content.decode()


def test_str_of_a_participant_has_no_personal_data(world: World) -> None:
    assert world.own.nik not in str(world.own) and "Siti" not in str(world.own)
    assert str(world.own) == f"Peserta {world.own.public_hex}"


# --- nothing personal in logs --------------------------------------------------------------------------------


def test_log_filter_masks_niks() -> None:
    record = logging.LogRecord("ucj", logging.INFO, __file__, 1, "peserta %s ditolak", ("1606014101900012",), None)
    PersonalDataFilter().filter(record)
    assert record.getMessage() == "peserta 1606********0012 ditolak"
    untouched = logging.LogRecord("ucj", logging.INFO, __file__, 1, "desa %s: %d baris", (SUKARAMI, 12), None)
    PersonalDataFilter().filter(untouched)
    assert untouched.getMessage() == "desa 16.06.01.2001: 12 baris" and untouched.args == (SUKARAMI, 12)


def test_log_filter_through_caplog(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="ucj"):
        logging.getLogger("ucj.registry").info("NIK %s dan 3201014101900099 ditolak", "1606014101900012")
    assert "1606********0012" in caplog.text and "3201********0099" in caplog.text
    assert "1606014101900012" not in caplog.text and "3201014101900099" not in caplog.text


@pytest.fixture
def configured_log() -> Iterator[io.StringIO]:
    """The handler the settings' LOGGING installs (with its ``pii`` filter), writing into a string."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "settings.LOGGING must attach PersonalDataFilter to the root handler"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.stream  # not setStream(): that flushes the old stream, which pytest may have closed
    handler.stream = stream
    try:
        yield stream
    finally:
        handler.stream = previous


def test_configured_logging_masks_messages_and_tracebacks(configured_log: io.StringIO) -> None:
    log = logging.getLogger("ucj.registry")
    log.info("peserta %s ditolak", "1606014101900012")
    try:
        raise ValueError('duplicate key value violates unique constraint "nik"; Key (nik)=(1671011505850003)')
    except ValueError:
        log.exception("impor gagal")
    text = configured_log.getvalue()
    assert "1606********0012" in text and "1671********0003" in text and "Traceback" in text
    assert "1606014101900012" not in text and "1671011505850003" not in text


def test_mask_digits() -> None:
    assert mask_digits("NIK harus 16 digit, terisi 17 digit ('16060113019000441').") == (
        "NIK harus 16 digit, terisi 17 digit ('1606*************')."
    )
    assert mask_digits("ditemukan 'x' di '160601130190004x'") == "ditemukan 'x' di '1606***********x'"
    assert mask_digits("Desa 16.71.01.1001 di luar 16.06.01.2001; baris 1234567") == (
        "Desa 16.71.01.1001 di luar 16.06.01.2001; baris 1234567"
    )  # codes and small numbers stay
