"""Validating a roster: from text cells to clean participant rows plus findings (pure, vectorised).

Every row ends ``ok`` or ``rejected``; findings (errors and warnings) carry the row number the user sees,
the column header as written in the file, a stable code and the offending value. Nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from ucj.contributions.defaults import apply_role_defaults
from ucj.registry import vocab
from ucj.registry.dates import add_date_column
from ucj.registry.distinct import per_distinct
from ucj.registry.issues import ISSUE_TYPES, Finding
from ucj.registry.nik import add_nik_columns
from ucj.registry.reader import RawRoster
from ucj.registry.regionmatch import resolve_villages

#: The stored length of each free-text field (Participant's max_length; a test keeps them equal). A longer
#: value is a row finding, never a database error (PostgreSQL refuses it, SQLite would keep it whole).
TEXT_LIMITS = {"name": 200, "occupation": 120, "address": 250, "kpj": 20, "phone": 20, "unit_name": 120}

_FIELD_OF = {"occupation": "position"}  # frame column -> roster field, where they differ

_FINDING_SCHEMA = pl.Schema(
    {"row": pl.Int64, "column": pl.String, "code": pl.String, "value": pl.String, "extra": pl.String}
)


@dataclass(frozen=True)
class Validated:
    """Outcome of validation: ``rows`` has ``_row``, ``rejected`` and the clean columns; ``findings`` one
    row per issue (row, column, code, value, extra). Frozen: a changed outcome is a new one, so :attr:`ok`
    is computed once."""

    rows: pl.DataFrame
    findings: pl.DataFrame

    @cached_property
    def ok(self) -> pl.DataFrame:
        """The rows not rejected. Filtered once: an import reads it six or more times, 0.08–0.13 s each for a
        million rows of 60 columns."""
        return self.rows.filter(~pl.col("rejected"))

    def findings_list(self) -> list[Finding]:
        return [Finding(**r) for r in self.findings.sort("row", "code").iter_rows(named=True)]


def _per_value(df: pl.DataFrame, column: str, rule: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """``rule`` applied to ``column``, once per distinct value (:func:`ucj.registry.distinct.per_distinct`)."""

    def apply(cells: pl.Series) -> pl.Series:
        return cells.to_frame("_v").select(rule(pl.col("_v"))).to_series()

    return per_distinct(df[column], apply).alias(column)


def _map_words(expr: pl.Expr, words: dict[str, str]) -> pl.Expr:
    folded = expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    return folded.replace_strict(words, default=None, return_dtype=pl.String)


def add_amount_column(frame: pl.DataFrame, raw: str, out: str) -> pl.DataFrame:
    """Rupiah amounts as written: ``Rp 2.500.000``, ``2,500,000``, ``2500000``, ``2,5 juta``, ``1.5jt``. Each
    distinct text is read once (:func:`ucj.registry.distinct.per_distinct`)."""
    return frame.with_columns(per_distinct(frame[raw], _amounts).alias(out))


def _amounts(cells: pl.Series) -> pl.Series:
    c = pl.col
    staged = (
        cells.to_frame("_raw")
        .select(c("_raw").str.to_lowercase().str.replace_all(r"rp\.?|\s|/bulan|/bln|per bulan|,-$", "").alias("_a"))
        .with_columns(
            c("_a").str.contains(r"(juta|jt)$").alias("_million"),
            c("_a").str.replace(r"(juta|jt)$", "").alias("_n"),
        )
    )
    # Indonesian thousands dots (2.500.000 / 2.500.000,00) vs English commas (2,500,000.00).
    plain = (
        pl.when(c("_n").str.contains(r"^\d{1,3}(\.\d{3})+(,\d+)?$"))
        .then(c("_n").str.replace(r",\d+$", "").str.replace_all(r"\.", ""))
        .when(c("_n").str.contains(r"^\d{1,3}(,\d{3})+(\.\d+)?$"))
        .then(c("_n").str.replace(r"\.\d+$", "").str.replace_all(",", ""))
        .otherwise(c("_n").str.replace(",", "."))
    )
    staged = staged.with_columns(plain.cast(pl.Float64, strict=False).alias("_v"))
    amount = pl.when(c("_million")).then(c("_v") * 1_000_000).otherwise(c("_v"))
    return staged.select(amount.round(0).cast(pl.Int64, strict=False)).to_series()


def _count_expr(expr: pl.Expr) -> pl.Expr:
    """A head count as written: ``60``, ``60 orang``, ``1.200`` / ``1,200`` (thousands), ``60.0`` (a number cell);
    null for anything else (a negative, a fraction, text)."""
    text = expr.str.to_lowercase().str.replace(r"\s*(orang|org|pekerja|karyawan|tenaga kerja)\s*$", "") \
        .str.strip_chars()  # fmt: skip
    digits = (
        pl.when(text.str.contains(r"^\d{1,3}([.,]\d{3})+$")).then(text.str.replace_all(r"[.,]", ""))
        .when(text.str.contains(r"^\d+(\.0+)?$")).then(text.str.replace(r"\.0+$", ""))
    )  # fmt: skip
    count = digits.cast(pl.Int64, strict=False)
    return pl.when(count <= 10_000_000).then(count)  # beyond any employer: a typo (and the column's range)


def validate_roster(
    raw: RawRoster,
    villages: pl.DataFrame,
    *,
    scope: str | None = None,
    all_codes: set[str] | None = None,
    today: dt.date | None = None,
    defaults: pl.DataFrame | None = None,
    ecosystems: pl.DataFrame | None = None,
) -> Validated:
    """Validate every row of ``raw``. ``villages``: see :mod:`ucj.registry.regionmatch`; ``scope``: the upload's
    region (a desa code fixes the village of every row; a wider code narrows name matching); ``defaults``: the
    per-region village-role defaults (see :mod:`ucj.contributions.defaults`) that fill segment, payer,
    programmes, risk class and income where the roster does not give them; ``ecosystems``: the occupation →
    ecosystem mapping per region (:func:`ucj.registry.vocab.ecosystems_for`; default: the shipped mapping)."""
    today = today or dt.date.today()
    f = raw.field
    df = raw.frame.select(
        "_row",
        "_nik_numeric",
        f("nik").alias("nik_raw"),
        f("name").alias("name"),
        f("birth_date").alias("birth_raw"),
        f("sex").alias("sex_raw"),
        f("position").alias("occupation"),
        f("village_code").alias("code_text"),
        f("desa").alias("desa"),
        f("kecamatan").alias("kec"),
        f("kabkota").alias("kab"),
        f("income").alias("income_raw"),
        f("segment").alias("segment_raw"),
        f("ecosystem").alias("ecosystem_raw"),
        f("payer").alias("payer_raw"),
        f("programs").alias("programs_raw"),
        f("kpj").alias("kpj"),
        f("phone").alias("phone"),
        f("address").alias("address"),
        f("unit_name").alias("unit_name"),
        f("coverage_start").alias("start_raw"),
        f("paid_through").alias("paid_raw"),
        f("poverty_decile").alias("decile_raw"),
        f("employer_sector").alias("sector_raw"),
        f("employer_size").alias("size_raw"),
        (pl.col("_cell_problem") if "_cell_problem" in raw.frame.columns else pl.lit(None, dtype=pl.String)).alias(
            "_cell_problem"
        ),
    )
    df = df.with_columns(
        _per_value(df, "name", lambda e: e.str.replace_all(r"\s+", " ")),
        _per_value(df, "phone", lambda e: e.str.replace_all(r"[^0-9+]", "")),
    )
    df = add_nik_columns(df, "nik_raw", "_nik_numeric", today)
    present = raw.columns.used

    def birth(cells: pl.Series) -> pl.Series:  # the text without the place, and its date, in one pass
        # "Palembang, 13-12-1980": drop the place (text before a comma, no digits), not "13 Desember, 1980"
        texts = cells.to_frame("birth_raw").select(pl.col("birth_raw").str.replace(r"^[^,\d]+,\s*", ""))
        if "birth_date" not in present:
            return texts.with_columns(pl.lit(None, dtype=pl.Date).alias("birth_roster")).to_struct()
        return add_date_column(texts, "birth_raw", "birth_roster", today).to_struct()

    df = df.with_columns(per_distinct(df["birth_raw"], birth).struct.unnest())
    for name, source, out in (("coverage_start", "start_raw", "coverage_start"),
                              ("paid_through", "paid_raw", "paid_through")):  # fmt: skip
        df = (
            add_date_column(df, source, out, today, month_only=True)
            if name in present
            else df.with_columns(pl.lit(None, dtype=pl.Date).alias(out))
        )
    if "income" in present:
        df = add_amount_column(df, "income_raw", "income")
    else:
        df = df.with_columns(pl.lit(None, dtype=pl.Int64).alias("income"))
    decile = pl.col("decile_raw").cast(pl.Int16, strict=False)
    df = df.with_columns(
        per_distinct(df["paid_through"], lambda dates: dates.dt.month_end()).alias("paid_through"),
        _per_value(df, "sex_raw", lambda e: _map_words(e, vocab.SEX)).alias("sex_roster"),
        _per_value(df, "segment_raw", lambda e: _map_words(e, vocab.SEGMENT_WORDS)).alias("segment_given"),
        _per_value(df, "ecosystem_raw", lambda e: _map_words(e, vocab.ECOSYSTEM_WORDS)).alias("ecosystem_given"),
        _per_value(df, "payer_raw", lambda e: _map_words(e, vocab.PAYER_WORDS)).alias("payer"),
        pl.when(decile.is_between(1, 10)).then(decile).alias("poverty_decile"),  # else NUMBER_INVALID, ignored
        # else SECTOR_UNKNOWN
        _per_value(df, "sector_raw", lambda e: _map_words(e, vocab.SECTOR_WORDS)).alias("employer_sector"),
        _per_value(df, "size_raw", _count_expr).alias("employer_size"),  # else EMPLOYEES_INVALID
    )
    df = _resolve_regions(df, villages, scope, all_codes or set())
    df = _derive(df, ecosystems)
    df = df.with_columns(_first_row_of_nik())
    findings = _findings(df, raw)
    if raw.notes:
        notes = pl.DataFrame([{"row": n.row, "column": n.column, "code": n.code, "value": n.value, "extra": n.extra}
                              for n in raw.notes], schema=_FINDING_SCHEMA)  # fmt: skip
        findings = pl.concat([notes, findings])
    errors = [c for c, t in ISSUE_TYPES.items() if t.severity == "error"]
    rejected_rows = findings.filter(pl.col("code").is_in(errors))["row"].unique()
    df = df.with_columns(pl.col("_row").is_in(rejected_rows.implode()).alias("rejected"))
    if defaults is not None:
        # After the findings: a value the roster gave but that could not be read still gets its warning.
        df = apply_role_defaults(df, defaults)
    return Validated(rows=df, findings=findings)


def _resolve_regions(df: pl.DataFrame, villages: pl.DataFrame, scope: str | None, all_codes: set[str]) -> pl.DataFrame:
    keys = ["code_text", "desa", "kec", "kab"]
    combos = df.select(keys).unique()
    resolved = resolve_villages(combos, villages, scope, all_codes)
    # Joined on the key columns alone (not the whole wide frame) and only on keys the roster has (a column
    # null in every row is null in every combination), then put beside the rows, whose order it keeps.
    given = [k for k in keys if df[k].null_count() < df.height] or keys
    found = df.select(given).join(
        resolved.drop(k for k in keys if k not in given), on=given, how="left", nulls_equal=True,
        maintain_order="left",
    )  # fmt: skip
    return df.with_columns(found.drop(given))


def _derive(df: pl.DataFrame, mapping: pl.DataFrame | None = None) -> pl.DataFrame:
    """Village role, ecosystem, segment and programmes; rules run once per distinct text, not per row; the
    ecosystem by the per-region mapping, vectorised (:func:`ucj.registry.vocab.ecosystems_for`)."""
    occupations = df["occupation"].drop_nulls().unique().to_list()
    roles = {o: vocab.village_role(o) for o in occupations}
    program_texts = df["programs_raw"].drop_nulls().unique().to_list()
    programs = {t: ",".join(vocab.programs_from(t) or ()) or None for t in program_texts}
    role = pl.col("occupation").replace_strict(roles, default=None, return_dtype=pl.String)
    df = df.with_columns(role.alias("village_role"))
    derived = vocab.ecosystems_for(df.select("occupation", "village_role", "desa_code"), mapping)
    df = df.with_columns(
        pl.coalesce("ecosystem_given", derived).alias("ecosystem"),
        pl.coalesce(
            "segment_given",
            pl.col("village_role").replace_strict(
                {r: vocab.default_segment(r) for r in vocab.VILLAGE_ROLES},
                default=vocab.default_segment(None),
                return_dtype=pl.String,
            ),
        ).alias("segment"),
        pl.coalesce(pl.col("birth_roster"), pl.col("nik_birth")).alias("birth_date"),
        pl.coalesce(pl.col("sex_roster"), pl.col("nik_sex")).alias("sex"),
        pl.col("programs_raw").replace_strict(programs, default=None, return_dtype=pl.String).alias("programs_given"),
        pl.lit(None, dtype=pl.Int16).alias("risk_class"),  # no roster column yet; role defaults may fill it
    )
    df = df.with_columns(pl.coalesce(pl.col("programs_given"), pl.lit("JKK,JKM")).alias("programs"))
    return df.with_columns([pl.col("programs").str.contains(rf"\b{p}\b").alias(p.lower()) for p in vocab.PROGRAMS])


def _first_row_of_nik() -> pl.Expr:
    return pl.when(pl.col("nik").is_not_null()).then(pl.col("_row").min().over("nik")).alias("first_row")


def _findings(df: pl.DataFrame, raw: RawRoster) -> pl.DataFrame:
    col = raw.columns.header_of
    s = pl.col
    unreadable = s("birth_raw").is_not_null() & s("birth_roster").is_null()
    checks: list[tuple[pl.Expr, pl.Expr | str, pl.Expr | str, pl.Expr | str, pl.Expr | str]] = [
        # (condition, column header, code, value, extra)
        (s("nik_error").is_not_null(), col("nik"), s("nik_error"), s("nik_raw"), s("nik_error_detail")),
        (s("nik_warning").is_not_null(), col("nik"), s("nik_warning"), s("nik").str.slice(0, 6), ""),
        (s("name").is_null(), col("name"), "NAME_MISSING", "", ""),
        (unreadable, col("birth_date"), "DATE_INVALID", s("birth_raw"), ""),
        (s("start_raw").is_not_null() & s("coverage_start").is_null(), col("coverage_start"), "DATE_INVALID",
         s("start_raw"), ""),
        (s("paid_raw").is_not_null() & s("paid_through").is_null(), col("paid_through"), "DATE_INVALID",
         s("paid_raw"), ""),
        (s("region_error").is_not_null(), col("desa") if "desa" in raw.columns.used else col("village_code"),
         s("region_error"), s("region_value"), s("region_extra")),
        (s("first_row").is_not_null() & (s("first_row") != s("_row")), col("nik"), "DUPLICATE_IN_FILE",
         s("nik"), s("first_row").cast(pl.String)),
        (
            s("birth_roster").is_not_null() & s("nik_birth").is_not_null()
            & (s("birth_roster").dt.strftime("%d%m%y") != s("nik_birth").dt.strftime("%d%m%y")),
            col("birth_date"), "BIRTHDATE_MISMATCH", s("birth_roster").dt.strftime("%d-%m-%Y"),
            s("nik_birth").dt.strftime("%d-%m-%Y"),
        ),
        (s("sex_roster").is_not_null() & s("nik_sex").is_not_null() & (s("sex_roster") != s("nik_sex")),
         col("sex"), "SEX_MISMATCH", s("sex_roster"), s("nik_sex")),
        (s("sex_raw").is_not_null() & s("sex_roster").is_null(), col("sex"), "SEX_INVALID", s("sex_raw"), ""),
        (s("income_raw").is_not_null() & s("income").is_null(), col("income"), "NUMBER_INVALID",
         s("income_raw"), ""),
        (s("decile_raw").is_not_null() & ~s("poverty_decile").is_between(1, 10).fill_null(False),
         col("poverty_decile"), "NUMBER_INVALID", s("decile_raw"), ""),
        (s("sector_raw").is_not_null() & s("employer_sector").is_null(), col("employer_sector"), "SECTOR_UNKNOWN",
         s("sector_raw"), ""),
        (s("size_raw").is_not_null() & s("employer_size").is_null(), col("employer_size"), "EMPLOYEES_INVALID",
         s("size_raw"), ""),
        (s("segment_raw").is_not_null() & s("segment_given").is_null(), col("segment"), "VALUE_UNKNOWN",
         s("segment_raw"), ""),
        (s("ecosystem_raw").is_not_null() & s("ecosystem_given").is_null(), col("ecosystem"), "VALUE_UNKNOWN",
         s("ecosystem_raw"), ""),
        (s("payer_raw").is_not_null() & s("payer").is_null(), col("payer"), "VALUE_UNKNOWN", s("payer_raw"), ""),
        # A kelurahan (4th code segment starting with 1) has no kepala desa, BPD or APBDes (issue 12 item 3).
        (s("desa_code").str.contains(r"^\d{2}\.\d{2}\.\d{2}\.1").fill_null(False)
         & s("village_role").is_in(["kepala_desa", "bpd"]), col("position"), "KELURAHAN_VILLAGE_ROLE",
         s("occupation"), s("desa_code")),
        (s("desa_code").str.contains(r"^\d{2}\.\d{2}\.\d{2}\.1").fill_null(False) & (s("payer") == "apbdes"),
         col("payer"), "KELURAHAN_APBDES", s("payer_raw"), s("desa_code")),
        (s("_cell_problem").is_not_null(), s("_cell_problem").str.split("\t").list.get(1),
         s("_cell_problem").str.split("\t").list.get(0), "", s("_cell_problem").str.split("\t").list.get(2)),
        *[(s(name).str.len_chars() > limit, col(_FIELD_OF.get(name, name)), "TEXT_TOO_LONG", str(limit),
           s(name).str.len_chars().cast(pl.String)) for name, limit in TEXT_LIMITS.items()],
    ]  # fmt: skip
    # Lazily, so each check gathers only the columns it reads and the checks run in parallel (same order).
    rows = df.lazy()
    # The birth date mismatch compares the dates as text: only on the rows whose two dates differ at all
    # (filtered eagerly first: a lazy plan would merge both filters and format every row's dates).
    narrowed = {"BIRTHDATE_MISMATCH": df.filter(s("birth_roster") != s("nik_birth")).lazy()}
    parts = [
        (narrowed.get(code, rows) if isinstance(code, str) else rows)
        .filter(cond)
        .select(
            s("_row").alias("row"),
            (column if isinstance(column, pl.Expr) else pl.lit(column)).cast(pl.String).alias("column"),
            (code if isinstance(code, pl.Expr) else pl.lit(code)).cast(pl.String).alias("code"),
            (value if isinstance(value, pl.Expr) else pl.lit(value)).cast(pl.String).fill_null("").alias("value"),
            (extra if isinstance(extra, pl.Expr) else pl.lit(extra)).cast(pl.String).fill_null("").alias("extra"),
        )
        for cond, column, code, value, extra in checks
    ]
    return pl.concat(parts).collect().cast(_FINDING_SCHEMA) if parts else pl.DataFrame(schema=_FINDING_SCHEMA)
