"""Eligible groups a subsidy can fund (pure): who a plan may pay for, in the field's words.

A registry participant falls in the first group that matches: village roles first (the village-institution
lever, domain.md §2), then the occupation (village cash-for-work (PKTD) workers — the only ones Dana Desa may
pay, domain.md §6 — then fishermen and farmers), then the ecosystem. Poor or vulnerable
workers BPJS does not yet cover and no roster has reached UCJ form one more group, counted per kab/kota
from the ``vulnerable`` denominator (:data:`UNLISTED`): a plan can fund them, but their names come later
from DTSEN/P3KE lists.
"""

from __future__ import annotations

import polars as pl

#: group code → (Bahasa Indonesia, English)
GROUPS: dict[str, tuple[str, str]] = {
    "perangkat_desa": ("Kepala & perangkat desa", "Village heads & apparatus"),
    "bpd": ("Anggota BPD", "Village council (BPD) members"),
    "rt_rw": ("Ketua RT/RW", "RT/RW heads"),
    "lkd": ("Lembaga kemasyarakatan desa", "Village community institutions"),
    "pktd": ("Pekerja padat karya tunai desa (PKTD)", "Village cash-for-work (PKTD) workers"),
    "nelayan_petani": ("Nelayan & petani", "Fishermen & farmers"),
    "pedagang_pasar": ("Pedagang & pekerja pasar", "Market traders & workers"),
    "umkm": ("Pekerja UMKM", "SME workers"),
    "rentan": ("Pekerja rentan lain (terdata)", "Other vulnerable workers (listed)"),
    "lainnya": ("Lainnya (terdata)", "Others (listed)"),
    "rentan_belum_terdata": ("Pekerja rentan belum terdata", "Vulnerable workers not yet listed"),
}
UNLISTED = "rentan_belum_terdata"
_FARM_FISH = r"(?i)\b(nelayan|petani|pekebun|peternak|buruh tani|pembudidaya)\b"
_PKTD = r"(?i)\b(pktd|padat karya)\b"
#: Groups of village people paid by the village as its own officials or institutions (domain.md §2).
VILLAGE_OFFICE_GROUPS = ("perangkat_desa", "bpd", "rt_rw", "lkd")


def group_expr() -> pl.Expr:
    """The group of a participant row (columns ``village_role``, ``occupation``, ``ecosystem``)."""
    role = pl.col("village_role").fill_null("")
    return (
        pl.when(role.is_in(["kepala_desa", "perangkat_desa"])).then(pl.lit("perangkat_desa"))
        .when(role == "bpd").then(pl.lit("bpd"))
        .when(role.is_in(["rt", "rw"])).then(pl.lit("rt_rw"))
        .when(role == "lkd").then(pl.lit("lkd"))
        .when(pl.col("occupation").fill_null("").str.contains(_PKTD)).then(pl.lit("pktd"))
        .when(pl.col("occupation").fill_null("").str.contains(_FARM_FISH)).then(pl.lit("nelayan_petani"))
        .when(pl.col("ecosystem") == "pasar").then(pl.lit("pedagang_pasar"))
        .when(pl.col("ecosystem") == "umkm").then(pl.lit("umkm"))
        .when(pl.col("ecosystem") == "rentan").then(pl.lit("rentan"))
        .otherwise(pl.lit("lainnya"))
        .alias("group")
    )  # fmt: skip


def label(group: str, lang: str = "id") -> str:
    names = GROUPS.get(group, (group, group))
    return names[1] if lang == "en" else names[0]
