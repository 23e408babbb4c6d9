"""Personal data (UU 27/2022 PDP): masking per role in pages, API and exports; nothing in URLs, logs or error
pages."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tests.accounts.conftest import FULL_ROLES, PALEMBANG, SUKARAMI, World, roster_file
from ucj.accounts.logfilter import PersonalDataFilter
from ucj.accounts.privacy import mask_digits, mask_name
from ucj.registry.models import ImportBatch

OWN_NIK_MASKED = "16**************"  # province digits only: no birth-date digit, no serial (docs/privacy.md)
OTHER_NIK_MASKED = "16**************"
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
    assert world.other.nik not in other and "Budi Palembang" not in other and OTHER_NIK_MASKED in other
    assert client.get(f"/api/v1/participants/{world.other.public_hex}").json()["nik"] == OTHER_NIK_MASKED
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
    assert "Ani Rahma" not in body  # the outcome page lists findings, not the rows without any
    for name, masked in (("Dedi Kurnia", "D*** K*****"), ("Rudi Hartono", "R*** H******")):
        assert (name in body) is full and (masked in body) is not full  # the name beside the row (issue 16), masked


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
        assert p.nik[:2] + "*" * 14 not in body  # not even the masked form
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


# --- one policy per role (issue 11, points 7, 8, 10, 12) -----------------------------------------------------


def test_the_policy_table_has_one_row_per_role() -> None:
    from ucj.accounts.models import Role
    from ucj.accounts.policy import MASKED, POLICIES, View, field_names

    assert set(POLICIES) == set(Role.values)
    assert field_names() == ("nik", "name", "birth_date", "sex", "phone", "income", "address", "kpj", "village")
    viewer = POLICIES["viewer"]
    for views in (viewer.record, viewer.listing, viewer.export, MASKED.record):
        assert views.nik is View.PARTIAL and views.birth_date is View.PARTIAL  # the birth year at most
        assert views.phone is views.income is views.address is views.kpj is View.HIDDEN
    for role in ("admin", "provinsi", "kabkota", "desa", "bpjs"):
        assert POLICIES[role].record.nik is View.FULL and POLICIES[role].listing.nik is View.PARTIAL


def test_a_masked_nik_shows_no_birth_date_and_no_serial_digit() -> None:
    from ucj.accounts.policy import mask_nik

    assert mask_nik("1606014101900012") == "16**************"
    assert mask_nik("160601410190001") == "*" * 15 and mask_nik(None) == "" and mask_nik("") == ""


@pytest.fixture
def people(world: World) -> World:
    """The world's people with everything a roster may hold: birth date and sex agree with their NIKs."""
    import datetime as dt

    from ucj.registry.models import Participant

    Participant.objects.filter(pk=world.own.pk).update(birth_date=dt.date(1990, 1, 1), sex="P", income=1_500_000,
                                                         address="Jl. Merdeka 1", kpj="24001234567")  # fmt: skip
    Participant.objects.filter(pk=world.other.pk).update(birth_date=dt.date(1985, 5, 15), sex="L")
    world.own.refresh_from_db()
    world.other.refresh_from_db()
    return world


def _rebuilt(item: dict[str, Any], desa: str) -> set[str]:
    """The reconstruction attack of issue 11: rebuild a NIK from what a record shows (region from the village,
    DDMMYY from the birth date and sex, visible digits of the masked NIK). Returns the candidates when they are
    few enough to try (at most 100), else an empty set: the attack failed."""
    import datetime as dt

    region = desa.replace(".", "")[:6]
    masked = item["nik"]
    born = dt.date.fromisoformat(item["birth_date"]) if item.get("birth_date") else None
    dates: list[str] = []
    if born is not None:
        day = born.day + (40 if item.get("sex") == "P" else 0)
        dates = [f"{day:02d}{born:%m%y}"]
    elif item.get("birth_year"):
        dates = [f"{d:02d}{m:02d}{item['birth_year'] % 100:02d}" for m in range(1, 13) for d in range(1, 72)]
    visible = masked[12:] if len(masked) == 16 and "*" not in masked[12:] else None
    serials = [visible] if visible else [f"{s:04d}" for s in range(1, 10_000)]
    if len(dates) * len(serials) > 100 or not dates:
        return set()
    fits = [region + d + s for d in dates for s in serials]
    return {n for n in fits if all(m in ("*", c) for m, c in zip(masked, n, strict=True))}


@pytest.mark.parametrize("role", ["viewer", *FULL_ROLES])
def test_no_nik_can_be_rebuilt_from_the_api_list(people: World, client_for: Callable[[str], Client], role: str) -> None:
    """Point 7: the list gave birth date, sex and village next to a mask that hid exactly those digits (99.7 % of
    the demo's NIKs were rebuilt). Sixty more villagers, NIKs agreeing with their birth dates and sexes."""
    import datetime as dt

    from ucj.registry.models import Participant

    crowd = []
    for i in range(60):
        born, woman = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i % 2 == 1
        day = born.day + (40 if woman else 0)
        crowd.append(Participant(nik=f"160601{day:02d}{born:%m%y}{i + 1:04d}", name=f"Warga {i}", desa_id=SUKARAMI,
                                 birth_date=born, sex="P" if woman else "L"))  # fmt: skip
    Participant.objects.bulk_create(crowd)
    items = client_for(role).get("/api/v1/participants", {"page_size": 500}).json()["items"]
    assert len(items) >= 61  # the Palembang participant too, for province-wide roles
    for item in items:
        assert not _rebuilt(item, item["desa"]), item["id"]


def test_no_nik_can_be_rebuilt_by_a_viewer_from_records(people: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("viewer")
    for p in (people.own, people.other):
        item = client.get(f"/api/v1/participants/{p.public_hex}").json()
        assert item["birth_date"] is None and item["birth_year"] == p.birth_date.year and item["sex"] == p.sex
        assert not _rebuilt(item, p.desa_id)
        page = client.get(f"/registri/peserta/{p.public_hex}/").content.decode()
        assert p.birth_date.strftime("%d-%m-%Y") not in page and str(p.birth_date.year) in page
        assert p.nik[12:] not in page.replace(p.public_hex, "")  # no serial digits on the page either


def test_viewers_see_no_income_kpj_or_address_and_full_roles_do(
    people: World, client_for: Callable[[str], Client]
) -> None:
    url = f"/registri/peserta/{people.own.public_hex}/"
    viewer = client_for("viewer").get(url).content.decode()
    desa = client_for("desa").get(url).content.decode()
    for shown in ("1.500.000", "1,500,000", "24001234567", "Jl. Merdeka 1", "01-01-1990"):
        assert shown not in viewer
    assert ("1.500.000" in desa or "1,500,000" in desa) and "24001234567" in desa and "01-01-1990" in desa
    api = client_for("desa").get(f"/api/v1/participants/{people.own.public_hex}").json()
    assert api["birth_date"] == "1990-01-01" and api["nik"] == people.own.nik


#: The NIK says 07-06-1962 (a woman), the roster 08-06-1962.
MISMATCH = "NIK,Nama,Kode Desa,Tanggal Lahir,Jenis Kelamin\n1606014706620007,Ani Rahma,16.06.01.2001,08-06-1962,P\n"


@pytest.mark.parametrize(("role", "full"), [("desa", True), ("kab_muba", True), ("viewer", False)])
def test_findings_mask_birth_dates_for_viewers(
    world: World, client_for: Callable[[str], Client], role: str, full: bool
) -> None:
    """Point 10: "Tanggal lahir di daftar (08-06-1962) berbeda dengan tanggal di NIK (08-06-1962)"."""
    response = client_for("desa").post("/registri/impor/unggah/", {"file": roster_file(MISMATCH), "region": ""})
    batch = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert batch.issues.filter(code="BIRTHDATE_MISMATCH").exists()
    body = client_for(role).get(f"/registri/impor/{batch.pk}/").content.decode()
    assert ("08-06-1962" in body) is full
    assert ("1962" in body) and ("**-**-1962" in body) is not full


def test_mask_text_keeps_years_and_region_codes() -> None:
    from ucj.accounts.policy import FULL_FIELDS, MASKED_FIELDS, mask_text

    text = "Tanggal lahir di daftar (08-06-1962) berbeda dengan NIK (1962-06-08); desa 16.06.01.2001; 080662."
    assert mask_text(text, MASKED_FIELDS) == (
        "Tanggal lahir di daftar (**-**-1962) berbeda dengan NIK (1962-**-**); desa 16.06.01.2001; ******."
    )
    assert mask_text(text, FULL_FIELDS) == text
    assert mask_text("NIK '16060113019000441'", MASKED_FIELDS) == "NIK '1606*************'"


def test_apply_frame_masks_like_apply_record() -> None:
    import datetime as dt

    import polars as pl

    from ucj.accounts.policy import MASKED_FIELDS, apply_frame, apply_record

    row = {"nik": "1606014101900012", "name": "Siti Aminah", "birth_date": dt.date(1990, 1, 1), "sex": "P",
           "phone": "0812", "income": 1_500_000, "address": "Jl. A", "kpj": "24001"}  # fmt: skip
    frame = apply_frame(pl.DataFrame([row]), MASKED_FIELDS)
    record = apply_record(row, MASKED_FIELDS)
    got = frame.row(0, named=True)
    assert got["nik"] == record["nik"] == "16**************" and got["name"] == record["name"] == "S*** A*****"
    assert got["birth_date"] is None and got["birth_year"] == record["birth_year"] == 1990
    assert got["income"] is record["income"] is None and got["phone"] is None and record["phone"] == "••••"
    kept = apply_frame(pl.DataFrame([row]), MASKED_FIELDS, full=pl.lit(True)).row(0, named=True)
    assert kept["nik"] == row["nik"] and kept["name"] == row["name"]


# --- searches: no oracle (point 8) -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_search_counts(db: Any) -> None:
    from django.core.cache import cache

    cache.clear()  # the per-user search counts live in the cache; every test starts from zero


def _search(client: Client, term: str) -> tuple[int, list[str], str]:
    """POST a search, follow it: (status, public ids listed, page text)."""
    response = client.post("/registri/cari/", {"q": term})
    if response.status_code != 302:
        return response.status_code, [], response.content.decode()
    page = client.get(response["Location"])
    return page.status_code, [r["p"].public_hex for r in page.context["rows"]], page.content.decode()


@pytest.mark.parametrize("role", ["viewer", *FULL_ROLES])
@pytest.mark.parametrize("prefix", ["1", "160601", "16060141019000", "160601410190001"])
def test_nik_prefix_search_is_refused(
    world: World, client_for: Callable[[str], Client], role: str, prefix: str
) -> None:
    client = client_for(role)
    status, found, page = _search(client, prefix)
    assert status == 200 and found == [] and "16 digit" in page
    api = client.post("/api/v1/participants/search", {"q": prefix}, content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "NIK_PARTIAL" and "16" in api.json()["message_en"]


@pytest.mark.parametrize(("role", "found"), [(r, True) for r in FULL_ROLES] + [("viewer", False)])
def test_full_nik_search_only_for_roles_that_see_full_niks(
    world: World, client_for: Callable[[str], Client], role: str, found: bool
) -> None:
    from ucj.accounts.models import AuditEvent

    client = client_for(role)
    status, ids, _ = _search(client, world.own.nik)
    assert status == 200 and ids == ([world.own.public_hex] if found else [])
    api = client.post("/api/v1/participants/search", {"q": world.own.nik}, content_type="application/json")
    if found:
        assert api.status_code == 200 and [i["id"] for i in api.json()["items"]] == [world.own.public_hex]
        assert api.json()["items"][0]["nik"] == OWN_NIK_MASKED  # a search result is a list: masked
    else:
        assert api.status_code == 403 and api.json()["code"] == "NIK_NOT_ALLOWED"
    events = AuditEvent.objects.filter(action="participant_search")
    assert events.count() == 2  # page and API, each audited
    for event in events:
        stored = f"{event.summary} {event.changes}"
        assert world.own.nik not in stored and world.own.nik[6:12] not in stored


def test_name_search_is_refused_for_viewers(world: World, client_for: Callable[[str], Client]) -> None:
    """A name search would tell a viewer which masked row holds a given name, letter by letter."""
    status, ids, page = _search(client_for("viewer"), "Siti")
    assert status == 200 and ids == [] and "menurut nama" in page
    api = client_for("viewer").post("/api/v1/participants/search", {"q": "Siti"}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "NAME_NOT_ALLOWED"
    assert _search(client_for("desa"), "Siti")[1] == [world.own.public_hex]


def test_a_full_role_finds_no_one_outside_its_full_regions(world: World, client_for: Callable[[str], Client]) -> None:
    assert _search(client_for("desa"), world.other.nik)[1] == []
    assert _search(client_for("kab_plg"), world.own.nik)[1] == []


def test_searches_are_rate_limited_per_user(
    world: World, client_for: Callable[[str], Client], settings: Any
) -> None:
    settings.UCJ_SEARCH_RATE = "3/minute"
    client, other = client_for("desa"), client_for("desa")
    for _ in range(3):
        assert client.post("/registri/cari/", {"q": world.own.nik}).status_code == 302
    refused = client.post("/registri/cari/", {"q": world.own.nik})
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Terlalu banyak pencarian" in body and "Too many searches" in body and world.own.nik not in body
    api = client.post("/api/v1/participants/search", {"q": world.own.nik}, content_type="application/json")
    assert api.status_code == 429 and api.json()["code"] == "RATE_LIMITED" and api.json()["message_en"]
    assert other.post("/registri/cari/", {"q": world.own.nik}).status_code == 302  # per user


@pytest.mark.parametrize("param", ["q", "nik", "name", "search"])
def test_the_api_list_takes_no_search_in_its_url(
    world: World, client_for: Callable[[str], Client], param: str
) -> None:
    response = client_for("desa").get("/api/v1/participants", {param: "1606"})
    assert response.status_code == 400 and response.json()["code"] == "SEARCH_BY_POST"


# --- bulk workbooks: the bpjs role's full NIKs can be turned off (point 12) ------------------------------------


@pytest.fixture
def own_bill(world: World, admin_user: Any) -> int:
    import datetime as dt

    from ucj.contributions.bills import create_bill
    from ucj.registry.models import Participant

    Participant.objects.filter(pk=world.own.pk).update(payer="apbdes", paid_through=dt.date(2024, 2, 29))
    bill = create_bill(admin_user, "apbdes", SUKARAMI, dt.date(2024, 3, 1))
    assert bill.lines.count() == 1
    return int(bill.pk)


def _bill_line(client: Client, bill: int) -> list[Any]:
    from python_calamine import CalamineWorkbook

    response = client.get(f"/iuran/tagihan/{bill}/tagihan.xlsx")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("Rincian").to_python()
    return list(rows[1][1:3])


@pytest.mark.parametrize("bpjs_full", [True, False])
def test_bpjs_full_nik_exports_is_a_setting(
    world: World, own_bill: int, client_for: Callable[[str], Client], settings: Any, bpjs_full: bool
) -> None:
    settings.UCJ_BPJS_FULL_NIK_EXPORTS = bpjs_full
    full, masked = [world.own.nik, "Siti Aminah"], [OWN_NIK_MASKED, "S*** A*****"]
    assert _bill_line(client_for("bpjs"), own_bill) == (full if bpjs_full else masked)
    assert _bill_line(client_for("desa"), own_bill) == full  # other roles keep their workbooks
    assert _bill_line(client_for("viewer"), own_bill) == masked
    rejected = client_for("bpjs").get(f"/registri/impor/{world.own_batch.pk}/ditolak.xlsx")
    assert rejected.status_code == (200 if bpjs_full else 403)  # the rejected rows are a bulk workbook too
    # single records stay visible to bpjs on the audited page either way
    assert world.own.nik in client_for("bpjs").get(f"/registri/peserta/{world.own.public_hex}/").content.decode()


def test_enrolment_lists_follow_the_bpjs_export_setting(
    world: World, make_user: Callable[..., Any], settings: Any
) -> None:
    from ucj.planning.services import _full_view

    bpjs, kab = make_user("bpjs", "16"), make_user("kabkota", "16.06")
    assert _full_view(bpjs, [SUKARAMI, PALEMBANG]) == {SUKARAMI, PALEMBANG}
    settings.UCJ_BPJS_FULL_NIK_EXPORTS = False
    assert _full_view(bpjs, [SUKARAMI, PALEMBANG]) == set()
    assert _full_view(kab, [SUKARAMI, PALEMBANG]) == {SUKARAMI}


@pytest.mark.parametrize(("role", "shown"), [("viewer", False), ("desa", True), ("bpjs", True)])
def test_the_search_box_only_for_roles_that_may_search(
    world: World, client_for: Callable[[str], Client], role: str, shown: bool
) -> None:
    assert ('role="search"' in client_for(role).get("/registri/").content.decode()) is shown


def test_policy_over_a_region_comes_from_the_most_permissive_full_role_held_there(settings: Any) -> None:
    from ucj.accounts.policy import MASKED, View
    from ucj.accounts.privacy import policy_over
    from ucj.accounts.scoping import Scope

    scope = Scope(grants=(("viewer", "16"), ("bpjs", "16.06"), ("desa", SUKARAMI)))
    assert policy_over(scope, SUKARAMI).role == "desa" and policy_over(scope, "16.06.02.2001").role == "bpjs"
    assert policy_over(scope, PALEMBANG) is MASKED
    settings.UCJ_BPJS_FULL_NIK_EXPORTS = False
    assert policy_over(scope, SUKARAMI).export.nik is View.FULL  # desa's own workbooks stay full
    assert policy_over(scope, "16.06.02.2001").export.nik is View.PARTIAL
    assert policy_over(Scope(grants=(), everywhere=True), PALEMBANG).role == "admin"


TERMS = [("1606014101900012", "nik"), (" 1606 0141 0190 0012 ", "nik"), ("1606.0141.0190.0012", "nik"),
         ("160601410190001", "nik_partial"), ("16060141019000123", "nik_partial"), ("Siti", "name"), ("  ", "")]


@pytest.mark.parametrize(("term", "kind"), TERMS)
def test_search_terms_are_classified(term: str, kind: str) -> None:
    from ucj.registry.search import classify

    assert classify(term)[0] == kind


def test_a_bad_search_rate_setting_is_named(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from ucj.accounts.privacy import search_rate

    settings.UCJ_SEARCH_RATE = "30/minute"
    assert search_rate() == (30, 60)
    settings.UCJ_SEARCH_RATE = "banyak"
    with pytest.raises(ImproperlyConfigured, match="UCJ_SEARCH_RATE"):
        search_rate()
