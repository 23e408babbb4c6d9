"""Synthetic rosters shaped like the ones villages send, with a controlled share of typical mistakes.

Vectorised (NumPy + Polars) so the benchmark can make a million rows in a second or two. NIKs are built
like real ones — the kecamatan prefix of the village, the birth date (+40 for women), a serial — and are
unique; nothing here belongs to a real person.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

FIRST_L = ["Ahmad", "Budi", "Joko", "Rudi", "Agus", "Hendra", "Dedi", "Slamet", "Yusuf", "Rahmat", "Herman",
           "Syahrul", "Fajar", "Indra", "Bambang", "Zulkifli", "Irwan", "Taufik", "Arif", "Sutrisno"]  # fmt: skip
FIRST_P = ["Siti", "Sri", "Dewi", "Nur", "Ani", "Rina", "Yuliana", "Fitri", "Wati", "Lestari", "Maryam",
           "Aisyah", "Ratna", "Desi", "Rohani", "Nurhayati", "Suryani", "Mega", "Putri", "Indah"]  # fmt: skip
LAST = ["Saputra", "Hidayat", "Wijaya", "Pratama", "Siregar", "Harahap", "Lubis", "Nasution", "Gunawan",
        "Kurniawan", "Setiawan", "Susanti", "Rahayu", "Marlina", "Safitri", "Anggraini", "Permata", "Yanti",
        "Syahputra", "Hasibuan", "Aminah", "Fauzi", "Ramadhan", "Kusuma"]  # fmt: skip
POSITIONS = [
    ("Kepala Desa", 0.01), ("Sekretaris Desa", 0.01), ("Kaur Keuangan", 0.01), ("Kasi Pemerintahan", 0.01),
    ("Kepala Dusun", 0.03), ("Anggota BPD", 0.03), ("Ketua RT", 0.06), ("Ketua RW", 0.02), ("Kader Posyandu", 0.02),
    ("Nelayan", 0.12), ("Petani", 0.20), ("Buruh Harian", 0.10), ("Pedagang Pasar", 0.12),
    ("Pedagang Kaki Lima", 0.06), ("Pelaku Usaha UMKM", 0.08), ("Tukang Ojek", 0.06), ("Penjahit", 0.06),
]  # fmt: skip
KELURAHAN_INSTEAD = {"Kepala Desa": "Buruh Harian", "Sekretaris Desa": "Buruh Harian", "Kaur Keuangan": "Penjahit",
                     "Kasi Pemerintahan": "Pelaku Usaha UMKM", "Kepala Dusun": "Ketua RW",
                     "Anggota BPD": "Pedagang Kaki Lima"}  # fmt: skip
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]  # fmt: skip
HEADERS = ["No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Jabatan", "Kode Desa", "No HP", "Penghasilan"]


def synthetic_roster(
    n: int,
    village_codes: list[str],
    *,
    seed: int = 0,
    error_rate: float = 0.02,
    serial_offset: int = 0,
    paid_until: dt.date | None = None,
    covered_from: dt.date | None = None,
) -> pl.DataFrame:
    """``n`` roster rows over the given desa codes; ``error_rate`` of them carry one typical mistake.

    With ``paid_until`` an "Iuran s/d" column says up to which month each person paid: mostly the last
    months before ``paid_until``, some long lapsed. With ``covered_from`` as well, a "TMT Kepesertaan" column
    says when protection started: a month from ``covered_from`` to ``paid_until``, never after the month paid
    up to (up to 6 months before it for someone whose payments stopped before ``covered_from``).
    """
    rng = np.random.default_rng(seed)
    villages = np.array(village_codes)
    village = villages[rng.integers(0, len(villages), n)]
    first_day = dt.date(1960, 1, 1).toordinal()
    n_days = dt.date(2006, 12, 31).toordinal() - first_day + 1
    idx = np.arange(n, dtype=np.int64) + serial_offset
    day_idx = (idx * 7919) % n_days  # spread birth dates; (date, serial) stays unique per index
    serial = idx // n_days + 1
    female = rng.random(n) < 0.45
    births = pl.Series(day_idx + first_day - dt.date(1970, 1, 1).toordinal()).cast(pl.Date)
    frame = pl.DataFrame({"village": village, "birth": births, "female": female, "serial": serial})
    kec = pl.col("village").str.slice(0, 8).str.replace_all(r"\.", "")
    dd = pl.col("birth").dt.day() + pl.when(pl.col("female")).then(40).otherwise(0)
    nik = pl.concat_str(
        kec,
        dd.cast(pl.String).str.zfill(2),
        pl.col("birth").dt.strftime("%m%y"),
        pl.col("serial").cast(pl.String).str.zfill(4),
    )
    firsts_l, firsts_p = np.array(FIRST_L), np.array(FIRST_P)
    first = np.where(female, firsts_p[rng.integers(0, len(FIRST_P), n)], firsts_l[rng.integers(0, len(FIRST_L), n)])
    last = np.array(LAST)[rng.integers(0, len(LAST), n)]
    pos_names, pos_p = zip(*POSITIONS, strict=True)
    probs = np.array(pos_p) / sum(pos_p)
    position = np.array(pos_names)[rng.choice(len(pos_names), n, p=probs)]
    # A kelurahan (4th code segment 1xxx) has no kepala desa, perangkat desa or BPD (shared/domain.md §6): people
    # there get urban occupations instead, so no import default bills them to an APBDes (issue 12). No extra draw.
    kelurahan = pl.Series(village).str.contains(r"^\d{2}\.\d{2}\.\d{2}\.1").fill_null(False).to_numpy()
    for office, instead in KELURAHAN_INSTEAD.items():
        position = np.where(kelurahan & (position == office), instead, position)
    date_style = rng.integers(0, 3, n)
    income = (rng.integers(8, 60, n) * 100_000).astype(np.int64)
    frame = frame.with_columns(
        nik.alias("NIK"),
        pl.Series("Nama Lengkap", np.char.add(np.char.add(first, " "), last)),
        pl.Series("style", date_style),
        pl.Series("Jabatan", position),
        pl.Series("Penghasilan", income).cast(pl.String),
        pl.format("08{}", pl.Series(rng.integers(100_000_000, 999_999_999, n)).cast(pl.String)).alias("No HP"),
    )
    month_names = {i + 1: name for i, name in enumerate(MONTHS_ID)}
    frame = frame.with_columns(
        pl.when(pl.col("style") == 0)
        .then(pl.col("birth").dt.strftime("%d-%m-%Y"))
        .when(pl.col("style") == 1)
        .then(pl.col("birth").dt.strftime("%d/%m/%Y"))
        .otherwise(
            pl.format(
                "{} {} {}",
                pl.col("birth").dt.day(),
                pl.col("birth").dt.month().replace_strict(month_names, return_dtype=pl.String),
                pl.col("birth").dt.year(),
            )
        )
        .alias("Tgl Lahir"),
        pl.when(pl.col("female")).then(pl.lit("P")).otherwise(pl.lit("L")).alias("L/P"),
        pl.col("village").alias("Kode Desa"),
    )
    frame = _inject_errors(frame, rng, error_rate)
    headers = list(HEADERS)
    if paid_until is not None:
        lag = np.minimum(rng.geometric(0.45, n) - 1, 30)  # months unpaid: 0 for most, a long tail
        months = paid_until.year * 12 + paid_until.month - 1 - lag
        frame = frame.with_columns(
            pl.format("{}-{}", pl.Series(months % 12 + 1).cast(pl.String).str.zfill(2), pl.Series(months // 12)).alias(
                "Iuran s/d"
            )
        )
        headers.append("Iuran s/d")
        if covered_from is not None:
            lo = covered_from.year * 12 + covered_from.month - 1
            hi = paid_until.year * 12 + paid_until.month - 1
            start = np.minimum(lo + rng.integers(0, max(1, hi - lo + 1), n), months)
            start = np.where(months < lo, months - rng.integers(0, 7, n), start)
            frame = frame.with_columns(
                pl.format(
                    "{}-{}", pl.Series(start % 12 + 1).cast(pl.String).str.zfill(2), pl.Series(start // 12)
                ).alias("TMT Kepesertaan")
            )
            headers.append("TMT Kepesertaan")
    return frame.with_row_index("No", offset=1).with_columns(pl.col("No").cast(pl.String)).select(headers)


def _inject_errors(frame: pl.DataFrame, rng: np.random.Generator, rate: float) -> pl.DataFrame:
    """Typical roster mistakes, spread evenly over the kinds, on ``rate`` of the rows."""
    n = frame.height
    kind = np.where(rng.random(n) < rate, rng.integers(1, 8, n), 0)
    shifted_nik = frame["NIK"].shift(1).fill_null(frame["NIK"][0] if n else "")
    k = pl.Series("kind", kind)
    return frame.with_columns(k).with_columns(
        pl.when(pl.col("kind") == 1).then(pl.col("NIK").str.slice(0, 15))  # a digit lost
        .when(pl.col("kind") == 2).then(pl.col("NIK").str.slice(0, 10) + "O" + pl.col("NIK").str.slice(11))
        .when(pl.col("kind") == 3).then(pl.format("{}E+15", pl.col("NIK").str.slice(0, 1) + "." +
                                                  pl.col("NIK").str.slice(1, 5)))  # Excel float
        .when(pl.col("kind") == 4).then(shifted_nik)  # duplicate of the previous row
        .otherwise(pl.col("NIK")).alias("NIK"),
        pl.when(pl.col("kind") == 5).then(pl.lit("30-02-1990")).otherwise(pl.col("Tgl Lahir")).alias("Tgl Lahir"),
        pl.when(pl.col("kind") == 6).then(pl.lit(None, dtype=pl.String)).otherwise(pl.col("Nama Lengkap"))
        .alias("Nama Lengkap"),
        pl.when(pl.col("kind") == 7).then(pl.lit("16.99.99.2999")).otherwise(pl.col("Kode Desa")).alias("Kode Desa"),
    )  # fmt: skip
