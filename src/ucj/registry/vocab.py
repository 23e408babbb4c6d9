"""Domain vocabularies: the words rosters use for sex, village roles, ecosystems, segments, payers and
programmes, mapped to UCJ's codes (pure). See docs/glossary.md for the terms.
"""

from __future__ import annotations

import re

SEX = {"l": "L", "lk": "L", "laki": "L", "laki laki": "L", "pria": "L", "m": "L", "male": "L",
       "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "w": "P", "f": "P", "female": "P"}  # fmt: skip

PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
VILLAGE_ROLES = ("kepala_desa", "perangkat_desa", "bpd", "rt", "rw", "lkd")

SEGMENT_WORDS = {"pu": "PU", "penerima upah": "PU", "ppu": "PU", "bpu": "BPU", "bukan penerima upah": "BPU",
                 "pbpu": "BPU", "informal": "BPU", "jakon": "JAKON", "jasa konstruksi": "JAKON",
                 "konstruksi": "JAKON", "pmi": "PMI", "pekerja migran": "PMI",
                 "pekerja migran indonesia": "PMI"}  # fmt: skip
ECOSYSTEM_WORDS = {"desa": "desa", "pasar": "pasar", "umkm": "umkm", "rentan": "rentan",
                   "pekerja rentan": "rentan", "lainnya": "lainnya", "lain lain": "lainnya"}  # fmt: skip
PAYER_WORDS = {"mandiri": "mandiri", "sendiri": "mandiri", "pribadi": "mandiri", "perusahaan": "employer",
               "pemberi kerja": "employer", "employer": "employer", "apbn": "apbn",
               "apbd provinsi": "apbd_provinsi", "apbd prov": "apbd_provinsi", "pemprov": "apbd_provinsi",
               "apbd kabupaten": "apbd_kabkota", "apbd kab": "apbd_kabkota", "apbd kota": "apbd_kabkota",
               "apbd kab kota": "apbd_kabkota", "apbd": "apbd_kabkota", "pemkab": "apbd_kabkota",
               "pemkot": "apbd_kabkota", "apbdes": "apbdes", "apb desa": "apbdes", "add": "apbdes",
               "dana desa": "apbdes", "alokasi dana desa": "apbdes", "csr": "other",
               "lainnya": "other", "other": "other"}  # fmt: skip

# Ordered: the first pattern that matches a position/occupation wins ("Ketua BPD" is bpd, not rt).
_ROLE_PATTERNS: list[tuple[str, str]] = [
    (r"\b(bpd|badan permusyawaratan)", "bpd"),
    (r"\b(kepala desa|kades|pj kepala desa|pjs kepala desa|lurah|kepala kelurahan|kepala kampung)\b",
     "kepala_desa"),
    (r"\b(sekretaris desa|sekdes|sekretaris kelurahan|kaur|kasi|kepala urusan|kepala seksi|kepala dusun|"
     r"kadus|perangkat desa|staf desa|staf kelurahan|bendahara desa|operator desa|kepala lingkungan|"
     r"kaling|kepala jorong)\b", "perangkat_desa"),
    (r"\b(ketua rw|rw)\b", "rw"),
    (r"\b(ketua rt|rt)\b", "rt"),
    (r"\b(lpm|lkmd|pkk|karang taruna|linmas|kader posyandu|posyandu|kader|bumdes|lembaga adat)\b", "lkd"),
]  # fmt: skip
_ECOSYSTEM_PATTERNS: list[tuple[str, str]] = [
    (r"\b(pedagang|pkl|kaki lima|kuli pasar|buruh pasar|juru parkir pasar|pasar)\b", "pasar"),
    (r"\b(umkm|pelaku usaha|pengrajin|perajin|usaha mikro|warung|penjahit|bengkel)\b", "umkm"),
    (r"\b(nelayan|petani|pekebun|buruh tani|buruh harian|ojek|ojol|tukang|penggali kubur|marbot|"
     r"pemulung|sopir|supir|kuli|buruh|peternak|penyadap|motoris|serabutan|ibu rumah tangga)\b", "rentan"),
]  # fmt: skip


def fold(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def village_role(position: str | None) -> str | None:
    """Village-institution role from a position text (``'Ketua RT 03'`` → ``'rt'``), else None."""
    text = fold(position)
    for pattern, role in _ROLE_PATTERNS:
        if re.search(pattern, text):
            return role
    return None


def ecosystem_for(position: str | None, role: str | None) -> str:
    """Ecosystem (desa, pasar, umkm, rentan, lainnya) from the role or the occupation."""
    if role:
        return "desa"
    text = fold(position)
    for pattern, eco in _ECOSYSTEM_PATTERNS:
        if re.search(pattern, text):
            return eco
    return "lainnya"


def default_segment(role: str | None) -> str:
    """Kepala and perangkat desa receive a fixed monthly income (siltap), so they are commonly registered as
    wage earners (PU); everybody else as BPU. Practice, not a national rule (shared/domain.md §2, open
    question 8): per-region configuration replaces this default in the contributions issue.
    """
    return "PU" if role in {"kepala_desa", "perangkat_desa"} else "BPU"


def programs_from(text: str | None) -> tuple[str, ...] | None:
    """``'JKK, JKM + JHT'`` → ``('JKK', 'JKM', 'JHT')``; None if nothing recognisable."""
    found = tuple(p for p in PROGRAMS if re.search(rf"\b{p.lower()}\b", fold(text)))
    return found or None
