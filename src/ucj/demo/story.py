"""The figures of the demo: Sumsel's coverage story of 2024 as denominators, targets and a BPJS feed (pure).

SYNTHETIC data that reproduces what was said at the UCJ meeting for Sumsel on 13 December 2024 (see
``shared/context`` and ``shared/domain.md`` §3–§4):

* 2,800,000 eligible workers ("pekerja eligible"), so that 50 % is 1.4 million; 4,400,000 employed (BPS
  Sakernas Aug 2023); 937,000 poor/vulnerable workers;
* targets of 37 % for 2024 and 50 % for 2025 (province; kab/kota inherit the rate, two have their own 2025
  target to show that);
* in December 2024 the province covers 1,048,000 workers: 37.43 %, 12,000 above the 37 % target
  (⌈37 % × 2,800,000⌉ = 1,036,000), of whom 65,000 in the "rentan" ecosystem;
* the 2024 growth is carried mostly by the desa and rentan ecosystems ("Gerakan Serentak Perlindungan
  Pekerja Rentan" from March 2024, village workers paid from regional budgets).

Province figures are split over the 17 kab/kota in proportion to their population (domain.md §4.1) by the
largest-remainder method, so the kab/kota always add up exactly to the province. Kab/kota coverage rates vary
around the province's; Musi Banyuasin is at its reported 41.65 % for December 2024 (domain.md §4.3). Monthly
history runs January–December 2024; only December is pinned to the meeting's figures. Everything is
deterministic (fixed seed): the same call gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import polars as pl

SEED = 2024
PROVINCE = "16"
YEAR = 2024
# Kemendagri 2025 codes, names and population (domain.md §4.1): the weights for distributing province figures.
KABKOTA: tuple[tuple[str, str, int], ...] = (
    ("16.01", "Kab. Ogan Komering Ulu", 390_048),
    ("16.02", "Kab. Ogan Komering Ilir", 801_059),
    ("16.03", "Kab. Muara Enim", 653_731),
    ("16.04", "Kab. Lahat", 448_141),
    ("16.05", "Kab. Musi Rawas", 427_723),
    ("16.06", "Kab. Musi Banyuasin", 736_897),
    ("16.07", "Kab. Banyuasin", 888_324),
    ("16.08", "Kab. Ogan Komering Ulu Timur", 694_832),
    ("16.09", "Kab. Ogan Komering Ulu Selatan", 406_938),
    ("16.10", "Kab. Ogan Ilir", 446_020),
    ("16.11", "Kab. Empat Lawang", 336_783),
    ("16.12", "Kab. Penukal Abab Lematang Ilir", 214_795),
    ("16.13", "Kab. Musi Rawas Utara", 203_688),
    ("16.71", "Kota Palembang", 1_801_367),
    ("16.72", "Kota Pagar Alam", 153_271),
    ("16.73", "Kota Lubuk Linggau", 247_550),
    ("16.74", "Kota Prabumulih", 213_523),
)
CODES = tuple(code for code, _, _ in KABKOTA)
POPULATION = np.array([p for _, _, p in KABKOTA], dtype=np.int64)
CITY = np.array([code.split(".")[1] >= "71" for code in CODES])

ELIGIBLE = 2_800_000  # 50 % = 1.4 million (meeting, Dec 2024)
BPS_EMPLOYED = 4_400_000  # BPS Sakernas Aug 2023
VULNERABLE = 937_000  # meeting, Dec 2024
BPU_UNIVERSE = 2_770_000  # BPS Sakernas Aug 2023: informal workers (62.97 %), domain.md §4.2 — Bappenas 06.02.021
TARGET_2024 = 37.0
TARGET_2025 = 50.0
SURPLUS_DEC_2024 = 12_000
COVERED_DEC_2024 = math.ceil(TARGET_2024 * ELIGIBLE / 100) + SURPLUS_DEC_2024  # 1,048,000
RENTAN_DEC_2024 = 65_000
MUBA, MUBA_RATE_DEC_2024 = "16.06", 41.65  # domain.md §4.3 (jpnn.com)

MONTHS = tuple(dt.date(YEAR, m, 1) for m in range(1, 13))
SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
ECOSYSTEMS = ("desa", "pasar", "umkm", "rentan", "lainnya")
# December 2024 province total per ecosystem ("lainnya" takes the rest) and the share of it added during 2024.
ECOSYSTEM_DEC: dict[str, int] = {"desa": 120_000, "pasar": 55_000, "umkm": 70_000, "rentan": RENTAN_DEC_2024}
GROWTH_2024: dict[str, float] = {"desa": 0.375, "pasar": 0.09, "umkm": 0.10, "rentan": 0.69, "lainnya": 0.004}
# Cumulative share of the year's growth reached by each month (January 0, December 1).
_T = np.arange(12) / 11
SHAPE: dict[str, np.ndarray] = {
    "desa": _T**1.2,
    "pasar": _T,
    "umkm": _T,
    # the province's Gerakan Serentak from March 2024, then APBD-funded batches at the end of the year
    "rentan": np.array([0, 0.02, 0.15, 0.30, 0.38, 0.45, 0.52, 0.58, 0.64, 0.72, 0.85, 1.0]),
    "lainnya": _T,
}
# Segment mix of each ecosystem (PU, BPU, JAKON, PMI).
SEGMENT_MIX: dict[str, tuple[float, float, float, float]] = {
    "desa": (0.35, 0.65, 0, 0),
    "pasar": (0.05, 0.95, 0, 0),
    "umkm": (0.30, 0.70, 0, 0),
    "rentan": (0, 1, 0, 0),
    "lainnya": (0.72, 0.10, 0.16, 0.02),
}
# Who pays (issue 12 item 16): share of each ecosystem × segment cell per payer (PAYERS order). Village officials
# (PU) on siltap from the APBDes (ADD); the village's BPU (RT/RW, fishermen, street vendors) mostly by the
# kab/kota APBD, some by the APBDes, some themselves; vulnerable workers by the province's Gerakan Serentak and
# the kab/kota APBD, a few through CSR; the rest by employers or themselves. Payers are whole workers (one payer
# per participant), so a cell is split over payers, never a worker.
PAYERS = ("employer", "mandiri", "apbd_provinsi", "apbd_kabkota", "apbdes", "other")
PAYER_LABELS = {"employer": "Perusahaan", "mandiri": "Mandiri", "apbd_provinsi": "APBD Provinsi",
                "apbd_kabkota": "APBD Kab/Kota", "apbdes": "APBDes", "other": "Lainnya"}  # fmt: skip
_PU, _SELF = (1, 0, 0, 0, 0, 0), (0, 1, 0, 0, 0, 0)
PAYER_MIX: dict[str, tuple[tuple[float, ...], ...]] = {  # per segment PU, BPU, JAKON, PMI
    "desa": ((0, 0, 0, 0, 1, 0), (0, 0.20, 0, 0.55, 0.25, 0), _PU, _SELF),
    "pasar": (_PU, _SELF, _PU, _SELF),
    "umkm": (_PU, _SELF, _PU, _SELF),
    "rentan": (_PU, (0, 0, 0.45, 0.45, 0, 0.10), _PU, _SELF),
    "lainnya": (_PU, _SELF, _PU, _SELF),
}
# Musi Banyuasin's 2024 growth was vulnerable village workers paid by the kabupaten's APBD (domain.md §4.3).
PAYER_MIX_MUBA = {"desa": (0, 0.10, 0, 0.80, 0.10, 0), "rentan": (0, 0, 0.10, 0.90, 0, 0)}  # BPU only
# Cities without desa (all but Prabumulih, domain.md §4.1) have no APBDes: its share goes to the kab/kota APBD.
NO_DESA = tuple(code for code in CODES if code.split(".")[1] >= "71" and code != "16.74")
# December 2024 coverage rates (%) the kab/kota are steered towards (rescaled so the province stays exact).
RATE_HINT = dict(zip(CODES, (36, 31, 40, 34, 33, MUBA_RATE_DEC_2024, 35, 30, 28, 34, 27, 39, 29, 44, 36, 40, 42),
                     strict=True))  # fmt: skip

MEETING = "Rapat UCJ Sumsel, Novotel Palembang 13 Des 2024"
SYNTHETIC = "SINTETIS (demo)"
FEED_FILE = "DEMO-feed-bpjs-2024.csv"
WORKFORCE_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "workers": pl.Int64,
                    "source": pl.String}  # fmt: skip
TARGET_SCHEMA = {"region": pl.String, "year": pl.Int64, "definition": pl.String, "rate": pl.Float64,
                 "count": pl.Int64, "source": pl.String}  # fmt: skip
FEED_SCHEMA = {"region": pl.String, "month": pl.Date, "segment": pl.String, "ecosystem": pl.String,
               "payer": pl.String, "active": pl.Int64}  # fmt: skip


def apportion(totals: int | np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each of ``totals`` (shape ``S``) over the last axis of ``weights`` (shape ``S + (k,)``, or ``(k,)``)
    in proportion to the weights, in whole numbers that add up exactly (largest remainder; ties to the first).
    Raises ValueError for a non-zero total whose weights are all zero."""
    tot = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    w = np.broadcast_to(w, tot.shape + w.shape[-1:])
    sums = w.sum(axis=-1, keepdims=True)
    if ((sums[..., 0] <= 0) & (tot != 0)).any():
        raise ValueError("a non-zero total with no positive weight to split it by")
    share = np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)
    exact = tot[..., None] * share
    base = np.floor(exact + 1e-9).astype(np.int64)
    rest = tot - base.sum(axis=-1)
    order = np.argsort(-(exact - base), axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(w.shape[-1]), order.shape), axis=-1)
    return base + (rank < rest[..., None]).astype(np.int64)


def by_population(total: int) -> dict[str, int]:
    """A province figure split over the 17 kab/kota in proportion to population (exact sum)."""
    return dict(zip(CODES, apportion(total, POPULATION.astype(np.float64)).tolist(), strict=True))


def _source(what: str, real: str) -> str:
    return f"{SYNTHETIC}: {what} — {real}"[:250]


def workforce() -> pl.DataFrame:
    """Denominators: eligible (2024), BPS employed (2023, Sakernas Aug 2023), vulnerable (2024) and the BPU
    universe (informal workers, Sakernas Aug 2023; the Bappenas indicator's denominator), province and kab/kota."""
    specs = [
        ("eligible", YEAR, ELIGIBLE, f"BPJS Ketenagakerjaan: 2,8 juta pekerja eligible Sumsel (50 % = 1,4 juta, "
         f"{MEETING}; ±3 juta menurut BPJS Kanwil Sumbagsel, Sep 2024)"),
        ("bps_employed", 2023, BPS_EMPLOYED, "BPS Sakernas Agustus 2023: 4,40 juta penduduk bekerja Sumsel"),
        ("vulnerable", YEAR, VULNERABLE, f"BPJS Kanwil Sumbagsel: 937.000 pekerja miskin/rentan Sumsel ({MEETING})"),
        ("bpu_universe", 2023, BPU_UNIVERSE, "BPS Sakernas Agustus 2023: 2,77 juta pekerja informal Sumsel (62,97 %), "
         "semesta PBPU indikator Bappenas 06.02.021"),
    ]  # fmt: skip
    rows = []
    for definition, year, total, real in specs:
        rows.append((PROVINCE, year, definition, total, _source("angka provinsi", real)))
        for code, workers in by_population(total).items():
            rows.append((code, year, definition, workers, _source("dibagi menurut jumlah penduduk", real)))
    return pl.DataFrame(rows, schema=WORKFORCE_SCHEMA, orient="row")


def targets() -> pl.DataFrame:
    """Province targets 2024 (37 %) and 2025 (50 %); Musi Banyuasin's 2025 rate and Palembang's 2025 count."""
    palembang = round(by_population(ELIGIBLE)["16.71"] * 0.48, -3)
    rows = [
        (PROVINCE, YEAR, "eligible", TARGET_2024, None,
         _source("target 37 %", f"{MEETING}; Rakortek Jan 2024 menetapkan 37,58 %")),
        (PROVINCE, YEAR + 1, "eligible", TARGET_2025, None,
         _source("target 50 % = 1,4 juta pekerja", f"BPJS Kanwil Sumbagsel, target 2025 ({MEETING})")),
        (MUBA, YEAR + 1, "eligible", 52.15, None,
         _source("target 52,15 %", "target UCJ nasional 2025 yang dipakai Kab. Musi Banyuasin (jpnn.com, Jul 2025)")),
        ("16.71", YEAR + 1, "eligible", None, int(palembang),
         _source("contoh target dalam jumlah pekerja", "bukan angka resmi")),
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=TARGET_SCHEMA, orient="row")


def covered_dec_2024() -> dict[str, int]:
    """Covered workers per kab/kota in December 2024: Musi Banyuasin at 41.65 %, the rest of the 1,048,000 over
    the others by eligible workers × their rate hint."""
    eligible = np.array(list(by_population(ELIGIBLE).values()), dtype=np.float64)
    muba = CODES.index(MUBA)
    fixed = round(eligible[muba] * MUBA_RATE_DEC_2024 / 100)
    hints = np.array([RATE_HINT[c] for c in CODES], dtype=np.float64)
    weights = eligible * hints
    weights[muba] = 0
    covered = apportion(COVERED_DEC_2024 - fixed, weights)
    covered[muba] = fixed
    return dict(zip(CODES, covered.tolist(), strict=True))


def _affinity() -> dict[str, np.ndarray]:
    """How strongly each kab/kota leans to an ecosystem (weights on top of its eligible workers)."""
    muba = np.array([c == MUBA for c in CODES])
    prabumulih = np.array([c == "16.74" for c in CODES])  # a city that still has 12 desa
    return {
        "desa": np.where(CITY, np.where(prabumulih, 0.4, 0.15), np.where(muba, 1.5, 1.0)),
        "pasar": np.where(CITY, 1.5, 1.0),
        "umkm": np.where(CITY, 1.6, 0.9),
        "rentan": np.where(muba, 2.5, np.where(CITY, 0.6, 1.0)),
    }


def ecosystem_dec_2024() -> np.ndarray:
    """December 2024 covered per kab/kota × ecosystem (shape 17 × 5); rows add up to :func:`covered_dec_2024`,
    columns to :data:`ECOSYSTEM_DEC` (and "lainnya" to the rest)."""
    covered = np.array(list(covered_dec_2024().values()), dtype=np.int64)
    affinity = _affinity()
    out = np.zeros((len(CODES), len(ECOSYSTEMS)), dtype=np.int64)
    for j, eco in enumerate(ECOSYSTEMS[:-1]):
        weights = affinity[eco] * covered  # a kab/kota with more covered workers has more in each ecosystem
        out[:, j] = apportion(ECOSYSTEM_DEC[eco], weights)
    out[:, -1] = covered - out[:, :-1].sum(axis=1)
    return out


def payer_weights() -> np.ndarray:
    """Payer shares per kab/kota × ecosystem × segment × payer (shape 17 × 5 × 4 × 6): :data:`PAYER_MIX`, Musi
    Banyuasin's own BPU mix, no APBDes in cities without desa."""
    w = np.array([[PAYER_MIX[e][k] for k in range(len(SEGMENTS))] for e in ECOSYSTEMS], dtype=np.float64)
    w = np.broadcast_to(w, (len(CODES), *w.shape)).copy()
    bpu, muba = SEGMENTS.index("BPU"), CODES.index(MUBA)
    for eco, mix in PAYER_MIX_MUBA.items():
        w[muba, ECOSYSTEMS.index(eco), bpu] = mix
    apbdes, apbd = PAYERS.index("apbdes"), PAYERS.index("apbd_kabkota")
    cities = [CODES.index(c) for c in NO_DESA]
    w[cities, :, :, apbd] += w[cities, :, :, apbdes]
    w[cities, :, :, apbdes] = 0
    return w


def feed(seed: int = SEED) -> pl.DataFrame:
    """The monthly BPJS participation feed January–December 2024 per kab/kota × segment × ecosystem × payer
    (cells that are always zero left out)."""
    rng = np.random.default_rng(seed)
    dec = ecosystem_dec_2024().astype(np.float64)  # (kab, eco)
    n_kab, n_eco, n_month = len(CODES), len(ECOSYSTEMS), len(MONTHS)
    growth = np.array([GROWTH_2024[e] for e in ECOSYSTEMS])[None, :] * rng.uniform(0.8, 1.2, (n_kab, n_eco))
    shape = np.stack([SHAPE[e] for e in ECOSYSTEMS])  # (eco, month)
    level = dec[:, :, None] * (1 - growth[:, :, None] * (1 - shape[None, :, :]))  # (kab, eco, month)
    noise = rng.normal(0, 0.003, (n_kab, n_month))
    noise[:, -1] = 0  # December is pinned
    level[:, -1, :] *= 1 + noise  # formal workers come and go a little
    counts = np.rint(level).astype(np.int64)
    counts[:, :, -1] = dec.astype(np.int64)
    mix = np.array([SEGMENT_MIX[e] for e in ECOSYSTEMS])  # (eco, seg)
    segments = apportion(counts, np.broadcast_to(mix[None, :, None, :], (*counts.shape, len(SEGMENTS))))
    weights = payer_weights()  # (kab, eco, seg, payer) → broadcast over months
    w = np.broadcast_to(weights[:, :, None, :, :], (*segments.shape, len(PAYERS)))
    cells = apportion(segments, w)
    kab, eco, month, seg, payer = np.indices(cells.shape).reshape(5, -1)
    frame = pl.DataFrame({
        "region": np.array(CODES)[kab], "month": pl.Series(MONTHS, dtype=pl.Date).gather(month),
        "segment": np.array(SEGMENTS)[seg], "ecosystem": np.array(ECOSYSTEMS)[eco],
        "payer": np.array(PAYERS)[payer], "active": cells.reshape(-1),
    })  # fmt: skip
    # cells that exist at all: the ecosystem has the segment and the payer pays for it there
    structural = (mix[None, :, :, None] > 0) & (weights > 0)  # (kab, eco, seg, payer)
    keep = pl.Series(structural[kab, eco, seg, payer])
    return frame.filter(keep).select(list(FEED_SCHEMA)).cast(FEED_SCHEMA)  # type: ignore[arg-type]


def feed_csv(frame: pl.DataFrame) -> bytes:
    """The feed as BPJS might send it: one CSV row per cell, Indonesian headers and payer names, semicolons."""
    names = {code: name for code, name, _ in KABKOTA}
    out = frame.select(
        pl.col("region").alias("Kode Wilayah"),
        pl.col("region").replace_strict(names, default="").alias("Kabupaten/Kota"),
        pl.col("month").dt.strftime("%Y-%m").alias("Bulan"),
        pl.col("segment").alias("Segmen"),
        pl.col("ecosystem").alias("Ekosistem"),
        pl.col("payer").replace_strict(PAYER_LABELS, default="").alias("Pembayar"),
        pl.col("active").alias("Peserta Aktif"),
    )
    buf = io.BytesIO()
    out.write_csv(buf, separator=";")
    return buf.getvalue()
