"""Targeting rules (pure: no Django) — working age, exclusions, priority, BPJS status words, pipeline moves.

Every rule names its source; where the sources are weak the number is a setting (docs/targeting.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

# --- working age ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeRule:
    """Working age, inclusive: ``minimum`` ≤ age ≤ ``maximum`` on the day the candidates are computed.

    * ``minimum`` 15: BPS's working-age population ("penduduk usia kerja", 15 years and over; Sakernas, the
      labour-force figures of shared/domain.md §4.2) — the same bound the NIK century rule uses
      (:data:`ucj.registry.nik.MIN_WORKING_AGE`).
    * ``maximum`` 65: **an assumption, not a sourced rule** (docs/targeting.md, Working age): shared/domain.md gives
      no upper age for enrolling BPU workers in JKK/JKM (open question 9 lists age limits as open); 65 is the ceiling
      of the JP retirement-age schedule (PP 45/2015 Pasal 15, domain.md §1.4). A setting: ``UCJ_TARGET_MAX_AGE``,
      like the minimum (``UCJ_TARGET_MIN_AGE``).

    People without a known birth date (no valid NIK date and no list date) are kept: the NIK always carries
    one, so this happens only for lists that fail to give it, and leaving them out would hide them.
    """

    minimum: int = 15
    maximum: int = 65


def age_expr(birth: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Whole years of age on ``as_of`` (birthdays counted on the day)."""
    # month() and day() are Int8: widen before month × 100 overflows.
    day_of_year = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    before_birthday = day_of_year > (as_of.month * 100 + as_of.day)
    return pl.lit(as_of.year) - birth.dt.year() - before_birthday.cast(pl.Int32)


# --- exclusions -----------------------------------------------------------------------------------------

#: Why a listed person is not a candidate. Codes are public (CLI/API); texts bilingual.
EXCLUSIONS: Mapping[str, tuple[str, str]] = {
    "asn": ("ASN/PNS/PPPK — dilindungi Taspen, bukan sasaran daerah",
            "civil servant (ASN/PNS/PPPK) — covered by Taspen, not a regional target"),
    "tni_polri": ("TNI/Polri — dilindungi Asabri", "armed forces or police (TNI/Polri) — covered by Asabri"),
    "pensioner": ("Pensiunan ASN/TNI/Polri — dilindungi Taspen/Asabri",
                  "retired civil servant, soldier or police officer — covered by Taspen/Asabri"),
    "not_working": ("Tidak bekerja (pelajar, mengurus rumah tangga, belum/tidak bekerja)",
                    "not working (pupil/student, housekeeping, not working)"),
    "under_age": ("Di bawah usia kerja", "below working age"),
    "over_age": ("Di atas usia kerja", "above working age"),
    "deceased": ("Meninggal (menurut daftar kerja)", "deceased (per the worklist)"),
    "active": ("Sudah aktif di BPJS Ketenagakerjaan", "already active in BPJS Ketenagakerjaan"),
    # Not ineligible, but outside the filters asked for (--max-decile, --groups):
    "decile_above": ("Desil di atas batas yang diminta", "decile above the requested limit"),
    "group_other": ("Bukan kelompok yang diminta", "not in the requested groups"),
}  # fmt: skip

# Occupations that put a person outside what a region funds. ASN/PNS/PPPK are covered by Taspen and TNI/Polri by
# Asabri (PP 70/2015 on JKK/JKM for ASN; shared/domain.md §3.1 "likely exclusions are civil servants/military/
# police (covered by Taspen/Asabri)"). The patterns are the words of village population exports (OpenSID's
# "pekerjaan" list: "PEGAWAI NEGERI SIPIL (PNS)", "TENTARA NASIONAL INDONESIA (TNI)", "KEPOLISIAN RI (POLRI)",
# "PENSIUNAN", "PELAJAR/MAHASISWA", "MENGURUS RUMAH TANGGA", "BELUM/TIDAK BEKERJA").
_EXCLUDED_OCCUPATIONS: tuple[tuple[str, str], ...] = (
    ("pensioner", r"\bpensiunan\b|\bpurnawirawan\b"),
    ("asn", r"\bpns\b|\basn\b|\bpppk\b|pegawai negeri|aparatur sipil|\bguru pns\b"),
    ("tni_polri", r"\btni\b|\bpolri\b|\bpolisi\b|kepolisian|tentara|angkatan (darat|laut|udara)"),
    ("not_working", r"^(pelajar|mahasiswa|pelajar mahasiswa|mengurus rumah tangga|ibu rumah tangga|irt|"
                    r"belum tidak bekerja|belum bekerja|tidak bekerja|belum sekolah)$"),
)  # fmt: skip


def occupation_exclusion(occupation: pl.Expr) -> pl.Expr:
    """The exclusion code an occupation text implies (see :data:`EXCLUSIONS`), or null."""
    folded = occupation.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    expr = pl.lit(None, dtype=pl.String)
    for code, pattern in reversed(_EXCLUDED_OCCUPATIONS):  # the first pattern wins: built from the last
        expr = pl.when(folded.str.contains(pattern).fill_null(False)).then(pl.lit(code)).otherwise(expr)
    return expr


def born_by(as_of: dt.date, years: int) -> dt.date:
    """The last birth date of people at least ``years`` old on ``as_of`` (birthdays counted on the day, as
    :func:`age_expr`; on 29 February the 28th of a year without one)."""
    year = as_of.year - years
    day = min(as_of.day, calendar.monthrange(year, as_of.month)[1])
    return dt.date(year, as_of.month, day)


def age_exclusion(birth: pl.Expr, as_of: dt.date, age: AgeRule) -> pl.Expr:
    """``under_age`` / ``over_age`` outside the working age on ``as_of``, else null (unknown births kept). Two date
    comparisons (:func:`born_by`), the same as :func:`age_expr` against the bounds."""
    return (
        pl.when(birth > born_by(as_of, age.minimum)).then(pl.lit("under_age"))
        .when(birth <= born_by(as_of, age.maximum + 1)).then(pl.lit("over_age"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )  # fmt: skip


def exclusion_expr(occupation: pl.Expr, birth: pl.Expr, as_of: dt.date, age: AgeRule) -> pl.Expr:
    """The reason a listed person is not a candidate (occupation first, then age), or null."""
    return pl.coalesce(occupation_exclusion(occupation), age_exclusion(birth, as_of, age))


# --- priority -------------------------------------------------------------------------------------------

#: Village-institution roles come first: the December 2024 meeting's priority ("ekosistem desa": kepala desa,
#: perangkat, BPD, RT/RW first; shared/context/, shared/domain.md §2), in this order.
ROLE_ORDER: Mapping[str, int] = {"kepala_desa": 0, "perangkat_desa": 1, "bpd": 2, "lkd": 3, "rw": 4, "rt": 5}
#: An unknown decile sorts after decile 10. The candidate order (:func:`ucj.targeting.candidates.compute`): role
#: holders first (:data:`ROLE_ORDER`; no role last), then decile 1 → 10, unknown last, then by village
#: (:func:`village_number`), then by NIK.
UNKNOWN_DECILE = 11


def village_number(code: str) -> int | None:
    """A village code without its dots as a number (``16.06.01.2001`` → 1606012001); None if it is not one."""
    digits = code.replace(".", "")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None


def reason_text(*, lapsed: bool = False, role: str = "", decile: int | None = None) -> str:
    """Why a person is a candidate, in words (Indonesian / English): reactivation of a lapsed participant, else the
    village role, else the decile, else not protected with an unknown decile."""
    if lapsed:
        return "Kepesertaan tidak aktif (reaktivasi) / lapsed (reactivation)"
    if role:
        return f"Perangkat/lembaga desa ({role}) / village institution"
    if decile is not None:
        return f"Desil {decile} / decile {decile}"
    return "Belum terlindungi, desil tidak diketahui / not protected, decile unknown"


# --- BPJS status words ----------------------------------------------------------------------------------

ACTIVE, INACTIVE = "aktif", "nonaktif"
_STATUS_WORDS: Mapping[str, str] = {
    "aktif": ACTIVE, "active": ACTIVE, "a": ACTIVE, "ya": ACTIVE, "1": ACTIVE, "aktif bayar": ACTIVE,
    "peserta aktif": ACTIVE,
    "non aktif": INACTIVE, "nonaktif": INACTIVE, "tidak aktif": INACTIVE, "tdk aktif": INACTIVE, "na": INACTIVE,
    "n a": INACTIVE, "inactive": INACTIVE, "non active": INACTIVE, "nonactive": INACTIVE, "0": INACTIVE,
    "tidak": INACTIVE, "non aktif menunggak": INACTIVE, "menunggak": INACTIVE, "lapsed": INACTIVE,
    "peserta non aktif": INACTIVE, "peserta tidak aktif": INACTIVE, "non": INACTIVE,
}  # fmt: skip


def status_expr(text: pl.Expr) -> pl.Expr:
    """BPJS status as written (``aktif``, ``AKTIF``, ``Aktif ``, ``non aktif``, ``non-aktif``, ``tidak aktif``,
    ``NA`` …) → ``aktif`` / ``nonaktif``, null when unrecognised."""
    folded = text.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    return folded.replace_strict(dict(_STATUS_WORDS), default=None, return_dtype=pl.String)


def parse_status(text: str | None) -> str | None:
    """One status word (same rule as :func:`status_expr`)."""
    frame = pl.DataFrame({"s": [text]}, schema={"s": pl.String})
    value: str | None = frame.select(status_expr(pl.col("s"))).item()
    return value


# --- the pipeline ---------------------------------------------------------------------------------------

IDENTIFIED, CONTACTED, SUBMITTED, REGISTERED, ACTIVE_STAGE = "identified", "contacted", "submitted", "registered", \
    "active"  # fmt: skip
DECLINED, NOT_FOUND, MOVED, DECEASED = "declined", "not_found", "moved", "deceased"
#: The stages of the funnel in order, and the closing statuses (each needs a reason).
STAGES = (IDENTIFIED, CONTACTED, SUBMITTED, REGISTERED, ACTIVE_STAGE)
CLOSED = (DECLINED, NOT_FOUND, MOVED, DECEASED)
NEEDS_REASON = frozenset(CLOSED)

#: What a person (a village operator, the kab/kota officer) may set by hand. Registered and active are never
#: typed: they come from the BPJS file and from paid contributions (issue 14 §4); submitted comes from issuing
#: the collective registration file.
MANUAL: Mapping[str, frozenset[str]] = {
    IDENTIFIED: frozenset({CONTACTED, DECLINED, NOT_FOUND, MOVED, DECEASED}),
    CONTACTED: frozenset({IDENTIFIED, DECLINED, NOT_FOUND, MOVED, DECEASED}),
    SUBMITTED: frozenset({CONTACTED, DECLINED, MOVED, DECEASED}),  # back to contacted: BPJS returned the form
    REGISTERED: frozenset({MOVED, DECEASED}),
    ACTIVE_STAGE: frozenset({MOVED, DECEASED}),
    DECLINED: frozenset({IDENTIFIED}),  # reopened: the person changed their mind
    NOT_FOUND: frozenset({IDENTIFIED}),
    MOVED: frozenset({IDENTIFIED}),
    DECEASED: frozenset(),
}
#: Moves made by the system: issuing the collective file, the BPJS file, a paid contribution.
SUBMISSION_FROM = frozenset({CONTACTED})
BPJS_FROM = frozenset({IDENTIFIED, CONTACTED, SUBMITTED, REGISTERED, ACTIVE_STAGE, DECLINED, NOT_FOUND})
PAYMENT_FROM = frozenset({REGISTERED})


def allowed(current: str, to: str) -> bool:
    """Whether a person may move an enrolment from ``current`` to ``to`` by hand."""
    return to in MANUAL.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    """The statuses a person may choose next, in pipeline order."""
    order = STAGES + CLOSED
    return [s for s in order if s in MANUAL.get(current, frozenset())]


def bpjs_target(status: str | None, kpj: str | None) -> str | None:
    """Where a BPJS file puts an enrolment: ``active`` when BPJS reports the person active, ``registered`` when
    it knows them (a KPJ number) but not active; None when the file says nothing useful."""
    if status == ACTIVE:
        return ACTIVE_STAGE
    if status == INACTIVE or kpj:
        return REGISTERED
    return None


# --- groups ---------------------------------------------------------------------------------------------

#: Group tags from occupation words (the vulnerable-worker groups of shared/domain.md §3.4 and the meeting's desa
#: and pasar ecosystems, §6): a tag given in the list's group column is kept as written (folded).
GROUP_PATTERNS: Mapping[str, str] = {
    "nelayan": r"nelayan|perikanan|pembudidaya ikan",
    "petani": r"petani|pekebun|peternak|buruh tani|perkebunan|pertanian",
    "pedagang": r"pedagang|\bpkl\b|penjual|kaki lima|\bdagang\b",
    "ojek": r"ojek|sopir|supir|pengemudi|tukang becak",
    "buruh": r"buruh harian|buruh lepas|pekerja lepas|serabutan|tukang",
    "umkm": r"umkm|wiraswasta|wirausaha|usaha mikro|pengrajin|industri rumah",
}
#: The tag of holders of a village-institution role.
ROLE_GROUP = "perangkat_desa"


def groups_expr(occupation: pl.Expr, given: pl.Expr, role: pl.Expr) -> pl.Expr:
    """Comma-separated group tags: those given in the list, those the occupation implies, and
    ``perangkat_desa`` for village-institution roles (sorted, unique)."""
    folded = occupation.str.to_lowercase().fill_null("")
    implied = [pl.when(folded.str.contains(p)).then(pl.lit(tag)) for tag, p in GROUP_PATTERNS.items()]
    given_tags = given.str.to_lowercase().str.replace_all(r"[;/]", ",").str.split(",")
    role_tag = pl.when(role.fill_null("") != "").then(pl.lit(ROLE_GROUP))
    tags = pl.concat_list([given_tags.fill_null([]), pl.concat_list(implied), pl.concat_list([role_tag])])
    cleaned = tags.list.eval(pl.element().str.strip_chars().str.replace_all(r"\s+", "_").filter(
        pl.element().is_not_null() & (pl.element() != "")))  # fmt: skip
    return cleaned.list.unique().list.sort().list.join(",")
