"""Domain vocabularies: the words rosters use for sex, village roles, ecosystems, segments, payers and
programmes, mapped to UCJ's codes (pure). See docs/glossary.md for the terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import polars as pl

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
# The employer's industry as the PP 7/2025 JKK relief names it (codes of ucj.contributions.rules.SECTORS;
# the industry list is from news [S]); "other": an employer outside those industries.
SECTOR_WORDS = {
    **dict.fromkeys(
        (
            "textile",
            "tekstil",
            "garmen",
            "garment",
            "konveksi",
            "pakaian jadi",
            "tekstil dan pakaian jadi",
            "tekstil pakaian jadi",
            "industri tekstil",
            "industri garmen",
        ),
        "textile",
    ),
    **dict.fromkeys(("footwear", "alas kaki", "sepatu", "industri alas kaki", "industri sepatu"), "footwear"),
    **dict.fromkeys(
        ("leather", "kulit", "barang dari kulit", "kulit dan barang dari kulit", "industri kulit"), "leather"
    ),
    **dict.fromkeys(("furniture", "furnitur", "mebel", "meubel", "industri furnitur", "industri mebel"), "furniture"),
    **dict.fromkeys(
        (
            "food",
            "makanan",
            "minuman",
            "makanan dan minuman",
            "makanan minuman",
            "mamin",
            "industri makanan",
            "industri makanan dan minuman",
        ),
        "food",
    ),
    **dict.fromkeys(("toys", "mainan", "mainan anak", "industri mainan", "industri mainan anak"), "toys"),
    **dict.fromkeys(("other", "lainnya", "lain lain", "lain"), "other"),
}

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


def fold(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def village_role(position: str | None) -> str | None:
    """Village-institution role from a position text (``'Ketua RT 03'`` → ``'rt'``), else None."""
    text = fold(position)
    for pattern, role in _ROLE_PATTERNS:
        if re.search(pattern, text):
            return role
    return None


# ---------------------------------------------------------------- occupation → ecosystem (issue 12 item 17)

ECOSYSTEMS = ("desa", "pasar", "umkm", "rentan", "lainnya")  # also the tie-break order of equally long keywords
#: The shipped default mapping (national rows): a village's fishermen and street vendors are in the desa
#: ecosystem, market workers (traditional and modern) in pasar (meeting report, shared/domain.md §6).
DEFAULT_MAPPING_FILE = Path(__file__).parent / "data" / "ecosystem_mapping.csv"
MAPPING_SCHEMA = pl.Schema({"region": pl.String, "keyword": pl.String, "ecosystem": pl.String})
_LEVELS = 4  # province, kab/kota, kecamatan, desa


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`fold` as a Polars expression."""
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


def mapping_table(rows: Sequence[tuple[object, ...]] | pl.DataFrame) -> pl.DataFrame:
    """An ecosystem mapping from ``(region, keyword, ecosystem)`` tuples or a frame with those columns: region
    ``""``/None = the national default; keywords folded (``'Pedagang Kaki-Lima'`` → ``'pedagang kaki lima'``)."""
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, schema=list(MAPPING_SCHEMA), orient="row")
    return frame.select(
        pl.col("region").cast(pl.String).fill_null(""),
        fold_expr(pl.col("keyword").cast(pl.String)).alias("keyword"),
        pl.col("ecosystem").cast(pl.String),
    ).filter((pl.col("keyword") != "") & pl.col("ecosystem").is_in(ECOSYSTEMS))


@cache
def default_mapping() -> pl.DataFrame:
    """The shipped default mapping (:data:`DEFAULT_MAPPING_FILE`)."""
    return mapping_table(pl.read_csv(DEFAULT_MAPPING_FILE, schema_overrides={"region": pl.String}))


def ecosystems_for(rows: pl.DataFrame, table: pl.DataFrame | None = None) -> pl.Series:
    """The ecosystem of each row of ``rows`` (columns ``occupation``, ``village_role``, ``desa_code``; any may be
    null), vectorised: a village role is always ``desa``; else the mapping row whose keyword occurs as whole
    words in the occupation, the **most specific region** first (desa > kecamatan > kab/kota > province >
    national ``""``: a region's own row beats the default), then the longest keyword (``pedagang kaki lima``
    beats ``pedagang``), then :data:`ECOSYSTEMS` order; no match: ``lainnya``. ``table``: see
    :func:`mapping_table` (default: :func:`default_mapping`).

    Matching runs on the distinct occupations × keywords and the distinct (desa, occupation) pairs, joined back
    to the rows: no per-row Python."""
    table = default_mapping() if table is None else mapping_table(table)
    keys = rows.select(
        pl.col("desa_code").cast(pl.String).fill_null("").alias("_desa"),
        pl.col("occupation").cast(pl.String).alias("_occ"),
        pl.col("village_role").cast(pl.String).alias("_role"),
    )
    pairs = keys.select("_desa", "_occ").drop_nulls("_occ").unique()
    # the distinct occupations from the pairs: far fewer rows than ``keys``
    text = pl.concat_str(pl.lit(" "), fold_expr(pl.col("_occ")), pl.lit(" ")).alias("_text")
    occupations = pairs.select("_occ").unique().with_columns(text)
    words = table.with_columns(
        pl.concat_str(pl.lit(" "), pl.col("keyword"), pl.lit(" ")).alias("_kw"),
        pl.col("keyword").str.len_chars().alias("_len"),
        pl.col("ecosystem").replace_strict({e: i for i, e in enumerate(ECOSYSTEMS)}, return_dtype=pl.Int8)
        .alias("_rank"),
    )  # fmt: skip
    hits = occupations.join(words, how="cross").filter(pl.col("_text").str.contains(pl.col("_kw"), literal=True))
    parts = pairs.select("_desa").unique().with_columns(pl.col("_desa").str.split(".").alias("_parts"))
    ancestors = pl.concat(
        [parts.select("_desa", pl.lit("").alias("region"), pl.lit(0, pl.Int8).alias("_level"))]
        + [parts.filter(pl.col("_parts").list.len() >= level).select(
            "_desa", pl.col("_parts").list.head(level).list.join(".").alias("region"),
            pl.lit(level, pl.Int8).alias("_level")) for level in range(1, _LEVELS + 1)]
    )  # fmt: skip
    best = (
        pairs.join(ancestors, on="_desa")
        .join(hits.select("_occ", "region", "ecosystem", "_len", "_rank"), on=["_occ", "region"])
        .sort(["_level", "_len", "_rank"], descending=[True, True, False])
        .unique(subset=["_desa", "_occ"], keep="first", maintain_order=True)
        .select("_desa", "_occ", pl.col("ecosystem").alias("_eco"))
    )
    found = keys.join(best, on=["_desa", "_occ"], how="left", maintain_order="left", nulls_equal=False)
    return found.select(
        pl.when(pl.col("_role").is_not_null()).then(pl.lit("desa"))
        .otherwise(pl.col("_eco").fill_null("lainnya")).alias("ecosystem")
    )["ecosystem"]  # fmt: skip


def ecosystem_for(position: str | None, role: str | None, desa_code: str | None = None,
                  table: pl.DataFrame | None = None) -> str:  # fmt: skip
    """Ecosystem (desa, pasar, umkm, rentan, lainnya) of one occupation (see :func:`ecosystems_for`)."""
    one = pl.DataFrame({"occupation": [position], "village_role": [role], "desa_code": [desa_code]},
                       schema={"occupation": pl.String, "village_role": pl.String, "desa_code": pl.String})  # fmt: skip
    return str(ecosystems_for(one, table)[0])


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
