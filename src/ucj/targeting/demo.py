"""Synthetic targeting data for the demo instance (issue 14 §Done): a DTSEN-style extract with deciles for Kec.
Sekayu, an OpenSID-style population export for each of four villages (Desa Sukarami 16.06.01.2001 first, the
demo village operator's), two BPJS person-level files, and Sukarami's worklist moved along the pipeline — all
through the real services, so every page has something to show. Every person is synthetic (names from short
lists, NIKs built from the village's kecamatan, the birth date and a serial from 7001 on, apart from the registry
demo's serials).

Idempotent: nothing is loaded when the demo DTSEN source exists.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model
from django.utils import timezone

from ucj.regions.models import Region

DEMO_DESA = "16.06.01.2001"
KECAMATAN = "16.06.01"
DTSEN_SOURCE = "DEMO DTSEN 2025 Kec. Sekayu"
PEOPLE = 480
SERIAL_FROM = 7001
_FIRST = ("Ahmad", "Siti", "Budi", "Dewi", "Rahmat", "Nur", "Agus", "Sri", "Joko", "Rina", "Hendra", "Yanti",
          "Fajar", "Lina", "Dedi", "Wati", "Rudi", "Maya", "Iwan", "Ani")  # fmt: skip
_LAST = ("Saputra", "Lestari", "Santoso", "Wahyuni", "Hidayat", "Rahmawati", "Pratama", "Susanti", "Gunawan",
         "Handayani", "Kurniawan", "Marlina")  # fmt: skip
#: OpenSID's "pekerjaan" words, weighted like a rural Sumsel village.
_OCCUPATIONS = (("PETANI/PEKEBUN", 30), ("NELAYAN/PERIKANAN", 8), ("PEDAGANG", 8), ("WIRASWASTA", 8),
                ("BURUH HARIAN LEPAS", 10), ("MENGURUS RUMAH TANGGA", 12), ("PELAJAR/MAHASISWA", 6),
                ("PEGAWAI NEGERI SIPIL (PNS)", 3), ("TENTARA NASIONAL INDONESIA (TNI)", 1),
                ("KEPOLISIAN RI (POLRI)", 1),
                ("PERANGKAT DESA", 3), ("KETUA RT", 2), ("BELUM/TIDAK BEKERJA", 5), ("SOPIR", 3))  # fmt: skip


def villages() -> list[tuple[str, str]]:
    """Desa Sukarami and the next three desa of Kec. Sekayu (code, name)."""
    # desa codes (4th segment from 2…; kelurahan start with 1), Sukarami first
    rows = list(Region.objects.filter(code__gte=DEMO_DESA, code__lt=KECAMATAN + ".3", level=4).order_by("code")
                .values_list("code", "name")[:4])  # fmt: skip
    return rows


def people(codes: list[str], n: int = PEOPLE, seed: int = 14) -> pl.DataFrame:
    """``n`` synthetic villagers over ``codes``: nik, name, birth, sex, desa, occupation, decile (or null)."""
    rng = np.random.default_rng(seed)
    first_day, last_day = dt.date(1958, 1, 1).toordinal(), dt.date(2012, 12, 31).toordinal()
    births = [dt.date.fromordinal(int(d)) for d in rng.integers(first_day, last_day, n)]
    female = rng.random(n) < 0.5
    words, weights = zip(*_OCCUPATIONS, strict=True)
    share = np.array(weights, dtype=float) / sum(weights)
    deciles = rng.choice(np.arange(1, 11), n, p=np.array([14, 14, 13, 12, 11, 10, 8, 7, 6, 5]) / 100)
    rows = []
    for i in range(n):
        born, desa = births[i], codes[i % len(codes)]
        day = born.day + (40 if female[i] else 0)
        nik = f"{desa[:8].replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}{SERIAL_FROM + i:04d}"
        rows.append({"nik": nik, "name": f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}",
                     "birth": born, "sex": "P" if female[i] else "L", "desa": desa,
                     "occupation": words[rng.choice(len(words), p=share)], "decile": int(deciles[i])})  # fmt: skip
    return pl.DataFrame(rows)


def dtsen_csv(frame: pl.DataFrame) -> bytes:
    """The DTSEN extract as a kab/kota gets it: a title row, ';' separated, deciles (70 % of the villagers)."""
    rows = frame.filter(pl.col("nik").str.slice(-2).cast(pl.Int32) % 10 < 7)
    body = rows.select(pl.col("nik").alias("NIK"), pl.col("name").alias("Nama"),
                       pl.col("birth").dt.strftime("%d-%m-%Y").alias("Tanggal Lahir"),
                       pl.col("sex").alias("Jenis Kelamin"), pl.col("desa").alias("Kode Desa"),
                       pl.col("decile").alias("Desil"), pl.col("occupation").alias("Pekerjaan"))  # fmt: skip
    buf = io.BytesIO()
    body.write_csv(buf, separator=";")
    return "DATA SINTETIS — ekstrak DTSEN Kec. Sekayu\n".encode() + buf.getvalue()


def population_xlsx(frame: pl.DataFrame, desa: str, name: str) -> bytes:
    """One village's OpenSID-style population export (upper-case names, TEMPAT/TGL LAHIR, no deciles; 85 %)."""
    from ucj.xlsx import workbook

    rows = frame.filter((pl.col("desa") == desa) & (pl.col("nik").str.slice(-2).cast(pl.Int32) % 20 < 17))
    buf = io.BytesIO()
    book = workbook(buf)
    sheet = book.add_worksheet("Penduduk")
    text = book.add_format({"num_format": "@"})
    sheet.write(0, 0, f"DATA PENDUDUK DESA {name.upper()} — DATA SINTETIS")
    sheet.write_row(2, 0, ["NO", "NIK", "NAMA", "TEMPAT TGL LAHIR", "JENIS KELAMIN", "PEKERJAAN", "DUSUN"])
    for r, row in enumerate(rows.iter_rows(named=True), start=3):
        sheet.write_row(r, 0, [r - 2, row["nik"], row["name"].upper(), f"Sekayu, {row['birth']:%d-%m-%Y}",
                               "PEREMPUAN" if row["sex"] == "P" else "LAKI-LAKI", row["occupation"],
                               f"Dusun {r % 4 + 1}"], text)  # fmt: skip
    book.close()
    return buf.getvalue()


def bpjs_csv(frame: pl.DataFrame, *, share: int, seed: int, extra_unknown: int = 3) -> bytes:
    """A branch's person-level file: ``share`` % of the villagers, mixed status spellings, a few NIKs nobody
    else holds and a few longer names (disagreements for review)."""
    rng = np.random.default_rng(seed)
    rows = frame.filter(pl.col("nik").str.slice(-3).cast(pl.Int32) % 100 < share)
    spelled = ["AKTIF", "Aktif", "aktif ", "NON AKTIF", "non-aktif", "Tidak Aktif", "NA"]
    status = [spelled[int(i)] for i in rng.choice(len(spelled), rows.height, p=[.2, .2, .2, .1, .1, .1, .1])]
    names = [n + (" BIN AHMAD" if i % 17 == 0 else "") for i, n in enumerate(rows["name"].to_list())]
    lines = ["NIK,No KPJ,Nama Peserta,Tgl Lahir,Segmen,Status Kepesertaan,Bulan Terakhir Bayar"]
    for i, row in enumerate(rows.iter_rows(named=True)):
        paid = "10-2026" if status[i].strip().lower() == "aktif" else "03-2026"
        lines.append(f"{row['nik']},24{row['nik'][-8:]},{names[i]},{row['birth']:%d-%m-%Y},BPU,{status[i]},{paid}")
    for k in range(extra_unknown):
        lines.append(f"1606011505{80 + k:02d}{9000 + k:04d},2499{k:06d},Peserta Luar {k + 1},15-05-198{k},BPU,Aktif,"
                     "10-2026")  # born 15 May 198k, serials 9000+: nobody else's
    return ("\n".join(lines) + "\n").encode()


def load_targeting_demo() -> str:
    """Load the demo lists, BPJS files and Sukarami's pipeline once; returns a one-line summary."""
    from ucj.targeting import services
    from ucj.targeting.models import Enrolment, ListSource

    if ListSource.objects.filter(name=DTSEN_SOURCE).exists():
        return "sasaran sudah dimuat / targeting already loaded"
    users = get_user_model().objects
    kab, operator, bpjs = (users.get(username=u) for u in ("dinas.muba", "operator.sukarami", "bpjs.sumsel"))
    places = villages()
    frame = people([code for code, _ in places])
    services.import_list(dtsen_csv(frame), "DEMO-dtsen-sekayu.csv", source=DTSEN_SOURCE, user=kab, region="16.06")
    for code, name in places:
        who = operator if code == DEMO_DESA else kab
        services.import_list(population_xlsx(frame, code, name), f"DEMO-penduduk-{code}.xlsx",
                             source=f"DEMO Penduduk {name}", kind="population", user=who, region=code)  # fmt: skip
    today = timezone.localdate()
    services.import_bpjs(bpjs_csv(frame, share=22, seed=1), "DEMO-bpjs-peserta-1.csv",
                         as_of=today - dt.timedelta(days=45), user=bpjs)  # fmt: skip
    made = services.create_worklist(kab, DEMO_DESA)
    _walk(services, operator, Enrolment.objects.filter(desa_id=DEMO_DESA).order_by("priority"))
    submitted = list(Enrolment.objects.filter(desa_id=DEMO_DESA, status="submitted").order_by("priority")[:6])
    registered = frame.filter(pl.col("nik").is_in([e.nik for e in submitted]))
    later = bpjs_csv(registered, share=100, seed=2, extra_unknown=0)
    services.import_bpjs(later, "DEMO-bpjs-peserta-2.csv", as_of=today, user=bpjs)
    return f"sasaran/targeting: {len(places) + 1} daftar/lists, 2 berkas BPJS/files, {made['created']} di daftar kerja"


def _walk(services: Any, operator: Any, worklist: Any) -> None:
    """Move Sukarami's first people along: 12 contacted, 2 declined, 1 not found, then a collective file for
    the first 8 contacted (who become submitted; the second BPJS file registers some of them)."""
    people_ = list(worklist[:15])
    for e in people_[:12]:
        services.transition(operator, e, "contacted")
    services.transition(operator, people_[12], "declined", reason="sudah punya asuransi lain (sintetis)")
    services.transition(operator, people_[13], "declined", reason="belum bersedia (sintetis)")
    services.transition(operator, people_[14], "not_found", reason="tidak ada di alamat (sintetis)")
    services.submission_file(operator, DEMO_DESA, ids=[e.pk for e in people_[:8]])
