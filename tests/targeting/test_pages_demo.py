"""The demo's targeting data on the pages: every demo user opens every targeting page of their region without
an error, and the Sukarami operator's worklist shows the people the demo moved along the pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ucj.targeting.models import BpjsFile, Enrolment, ListSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    from ucj.accounts.services import create_user
    from ucj.demo.loader import DEMO_USERS
    from ucj.targeting.demo import DEMO_DESA, load_targeting_demo

    users = {name: create_user(name, role=role, region=region, password="Ucj-Test-Password-1")
             for name, role, region in DEMO_USERS}  # fmt: skip
    load_targeting_demo()
    return {"users": users, "desa": DEMO_DESA}


def pages(desa: str) -> list[str]:
    source, bfile = ListSource.objects.order_by("pk").first(), BpjsFile.objects.order_by("pk").first()
    person = Enrolment.objects.filter(desa_id=desa).order_by("pk").first()
    assert source and bfile and person
    return ["/sasaran/", "/sasaran/?region=16.06", f"/sasaran/?region={desa}", "/sasaran/corong.xlsx?region=16.06",
            "/sasaran/kandidat/?region=16.06.01", "/sasaran/kandidat.xlsx?region=16.06.01", "/sasaran/daftar-kerja/",
            f"/sasaran/daftar-kerja/{desa}/", f"/sasaran/daftar-kerja/{desa}/daftar-kerja.xlsx",
            f"/sasaran/orang/{person.pk}/", "/sasaran/muatan/", f"/sasaran/muatan/daftar/{source.pk}/",
            f"/sasaran/muatan/bpjs/{bfile.pk}/", "/cakupan/?region=16.06"]  # fmt: skip


@pytest.mark.parametrize("username", ["admin", "analis.sumsel", "dinas.muba", "operator.sukarami", "bpjs.sumsel",
                                      "pimpinan"])  # fmt: skip
def test_every_demo_user_opens_the_pages(demo: dict[str, Any], username: str) -> None:
    client = Client()
    client.force_login(demo["users"][username])
    for path in pages(demo["desa"]):
        status = client.get(path, follow=True).status_code
        # the village operator reaches only their village: the kab/kota, the kecamatan and the BPJS file of the
        # kab/kota answer 404 (the lists of the kab/kota hold the village's people: readable)
        wider = ("16.06" in path and demo["desa"] not in path and "orang" not in path and "muatan" not in path) or (
            "/muatan/bpjs/" in path)  # fmt: skip
        expected = 404 if username == "operator.sukarami" and wider else 200
        assert status == expected, f"{username} {path}: {status}"


def test_the_operator_sees_the_demo_worklist(demo: dict[str, Any]) -> None:
    client = Client()
    client.force_login(demo["users"]["operator.sukarami"])
    response = client.get(f"/sasaran/daftar-kerja/{demo['desa']}/")
    statuses = {r["status"] for r in response.context["rows"]}
    assert {"identified", "contacted", "declined", "not_found"} <= statuses
    assert response.context["can_act"] and response.context["files"]  # the demo issued a collective file
