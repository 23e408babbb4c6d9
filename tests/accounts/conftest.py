"""A small world for access tests: one participant and one import batch in Desa Sukarami (Kab. Musi
Banyuasin, 16.06) and the same in Palembang (16.71), and a logged-in client per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ucj.registry.models import ImportBatch, Participant

SUKARAMI, PALEMBANG = "16.06.01.2001", "16.71.01.1001"
#: role name in the tests → (role, region)
ROLES: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "provinsi": ("provinsi", "16"),
    "kab_muba": ("kabkota", "16.06"),
    "kab_plg": ("kabkota", "16.71"),
    "desa": ("desa", SUKARAMI),
    "bpjs": ("bpjs", "16"),
    "viewer": ("viewer", "16"),
}
#: Roles that see full NIKs and names of the Sukarami participant.
FULL_ROLES = ("admin", "provinsi", "kab_muba", "desa", "bpjs")
#: A roster with one row in Sukarami and one in Palembang (NIKs valid, not those of the world).
ROSTER = "NIK,Nama,Kode Desa\n1606011301900044,Ani Rahma,16.06.01.2001\n1671011301900045,Rudi Hartono,16.71.01.1001\n"


@dataclass
class World:
    own: Participant  # in Sukarami
    other: Participant  # in Palembang
    own_batch: ImportBatch
    other_batch: ImportBatch


@pytest.fixture
def world(db: Any) -> World:
    paid = dt.date(2026, 10, 31)
    own = Participant.objects.create(nik="1606014101900012", name="Siti Aminah", desa_id=SUKARAMI, segment="BPU",
                                     ecosystem="desa", occupation="Kader Posyandu", paid_through=paid,
                                     phone="081234567890")  # fmt: skip
    other = Participant.objects.create(nik="1671011505850003", name="Budi Palembang", desa_id=PALEMBANG,
                                       segment="PU", ecosystem="pasar", paid_through=paid)  # fmt: skip
    batches = [
        ImportBatch.objects.create(file_name=f"{code}.csv", sha256="0" * 64, region_id=code, status="done", rejected=0)
        for code in (SUKARAMI, PALEMBANG)
    ]
    return World(own=own, other=other, own_batch=batches[0], other_batch=batches[1])


@pytest.fixture
def client_for(make_user: Callable[..., Any]) -> Callable[[str], Client]:
    """``client_for("desa")`` → a client logged in as a fresh user of that role ("anon": not logged in)."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anon":
            name, region = ROLES[role]
            client.force_login(make_user(name, region))
        return client

    return make


def roster_file(text: str = ROSTER, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")
