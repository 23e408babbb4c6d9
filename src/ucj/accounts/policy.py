"""One masking policy per role (UU 27/2022 PDP) — pure: no Django, no database.

A role's policy says, for each personal field, what the role sees in three contexts:

* ``record``  — one person's page or API record (reading it in full is audited by the caller);
* ``listing`` — lists, search results, bill lines on screen and API lists (never audited, so never a full NIK);
* ``export``  — bulk workbooks (bill lines, enrolment lists), audited by the caller.

What each view means:

* ``FULL``    — the value as stored;
* ``PARTIAL`` — NIK: the two province digits only (``16**************``); name: initials (``S*** A*****``);
  birth date: the year only; every other field: hidden;
* ``HIDDEN``  — nothing (``""`` / ``None``; text fields that hold a value show :data:`HIDDEN_MARK` on pages).

Why the masked NIK keeps only the province digits. A NIK is ``PPKKCC DDMMYY SSSS`` (region of first issue,
birth date with +40 on the day for women, serial). Every digit but the serial follows from the village, the
birth date and the sex, and the serial is the one secret that completes a NIK: any mask that shows the serial
next to a birth date, sex and village lets the whole NIK be rebuilt (the 1606********0012 mask did, for 99.7 %
of the demo's people through the API). So a masked NIK shows no serial digit and no birth-date digit; the
province digits add nothing the village does not already say, and keep people from other provinces visible.

Full view of a region comes only through a role of ``FULL_NIK_ROLES`` held over that region
(:meth:`ucj.accounts.scoping.Scope.sees_full_nik`); elsewhere the same user gets :data:`MASKED`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

import polars as pl

__all__ = [
    "FULL_FIELDS",
    "HIDDEN_MARK",
    "LISTING_FIELDS",
    "MASKED",
    "POLICIES",
    "FieldViews",
    "RolePolicy",
    "View",
    "apply_frame",
    "apply_record",
    "best_policy",
    "mask_name",
    "mask_nik",
    "mask_text",
    "policy_for",
]


class View(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    HIDDEN = "hidden"


#: What a page shows for a hidden text field that holds a value (so "—" still means "empty").
HIDDEN_MARK = "••••"


@dataclass(frozen=True, slots=True)
class FieldViews:
    """What one context shows of each personal field."""

    nik: View
    name: View
    birth_date: View
    sex: View
    phone: View
    income: View
    address: View
    kpj: View
    village: View

    @property
    def full_nik(self) -> bool:
        return self.nik is View.FULL


FULL_FIELDS = FieldViews(*(View.FULL,) * 9)
#: Lists of full roles: everything but the NIK, which a list never shows in full (the full NIK is one audited
#: read away, on the person's page); with the NIK's serial hidden the list cannot rebuild it.
LISTING_FIELDS = FieldViews(
    nik=View.PARTIAL, name=View.FULL, birth_date=View.FULL, sex=View.FULL, phone=View.FULL, income=View.FULL,
    address=View.FULL, kpj=View.FULL, village=View.FULL,
)  # fmt: skip
#: Everyone without a full view (viewers; any role outside the region it holds): enough for counting and
#: auditing (village, sex, birth year, initials), nothing that identifies or reaches a person.
MASKED_FIELDS = FieldViews(
    nik=View.PARTIAL, name=View.PARTIAL, birth_date=View.PARTIAL, sex=View.FULL, phone=View.HIDDEN,
    income=View.HIDDEN, address=View.HIDDEN, kpj=View.HIDDEN, village=View.FULL,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RolePolicy:
    """What one role sees in each context (see the module docstring and docs/privacy.md)."""

    role: str
    record: FieldViews
    listing: FieldViews
    export: FieldViews
    reason: str = ""

    @property
    def full(self) -> bool:
        """Whether the role ever sees a full NIK (then searching by a full NIK is allowed too)."""
        return self.record.full_nik


#: The policy of people without a full view of the region in question.
MASKED = RolePolicy("masked", MASKED_FIELDS, MASKED_FIELDS, MASKED_FIELDS, "no full view of this region")

#: The table, one row per role of ``ucj.accounts.models.Role`` (the values, to stay free of Django).
POLICIES: Mapping[str, RolePolicy] = {
    "admin": RolePolicy("admin", FULL_FIELDS, LISTING_FIELDS, FULL_FIELDS, "runs the instance, answers requests"),
    "provinsi": RolePolicy("provinsi", FULL_FIELDS, LISTING_FIELDS, FULL_FIELDS,
                           "funds and enrols workers of the province"),
    "kabkota": RolePolicy("kabkota", FULL_FIELDS, LISTING_FIELDS, FULL_FIELDS, "funds and enrols workers"),
    "desa": RolePolicy("desa", FULL_FIELDS, LISTING_FIELDS, FULL_FIELDS, "keeps the village roster"),
    "bpjs": RolePolicy("bpjs", FULL_FIELDS, LISTING_FIELDS, FULL_FIELDS,
                       "matches people against BPJS membership by NIK to enrol them"),
    "viewer": RolePolicy("viewer", MASKED_FIELDS, MASKED_FIELDS, MASKED_FIELDS, "reads figures, audits"),
}  # fmt: skip

#: Most permissive first: the role a user's view of a region comes from when several apply.
_PRECEDENCE = ("admin", "provinsi", "kabkota", "desa", "bpjs", "viewer")


def policy_for(role: str, *, bpjs_full_exports: bool = True) -> RolePolicy:
    """The policy of ``role``; ``bpjs_full_exports=False`` (setting ``UCJ_BPJS_FULL_NIK_EXPORTS``) masks the
    bpjs role's workbooks like a viewer's. Unknown roles get :data:`MASKED`."""
    policy = POLICIES.get(role, MASKED)
    if role == "bpjs" and not bpjs_full_exports:
        return RolePolicy("bpjs", policy.record, policy.listing, MASKED_FIELDS, policy.reason + " (exports off)")
    return policy


def best_policy(roles: Iterable[str], *, bpjs_full_exports: bool = True) -> RolePolicy:
    """The most permissive policy among ``roles`` (those a user holds over one region), else :data:`MASKED`."""
    held = set(roles)
    for role in _PRECEDENCE:
        if role in held:
            return policy_for(role, bpjs_full_exports=bpjs_full_exports)
    return MASKED


# --- single values -------------------------------------------------------------------------------------


def mask_nik(nik: str | None) -> str:
    """``1606014101900012`` → ``16**************``: no birth-date and no serial digit (module docstring)."""
    if not nik:
        return ""
    return nik[:2] + "*" * 14 if len(nik) == 16 and nik.isdigit() else "*" * len(nik)


def mask_name(name: str | None) -> str:
    """``'Siti Aminah'`` → ``'S*** A*****'``: initials stay so a list remains usable, the name does not."""
    if not name:
        return ""
    return " ".join(w[0] + "*" * (len(w) - 1) if w else w for w in name.split(" "))


def _text(value: Any, view: View) -> str:
    if view is View.FULL:
        return "" if value is None else str(value)
    return HIDDEN_MARK if value else ""


def apply_record(record: Mapping[str, Any], views: FieldViews) -> dict[str, Any]:
    """A copy of ``record`` with its personal fields shown as ``views`` says. Keys handled: ``nik``, ``name``,
    ``birth_date`` (a date; masked: ``None`` and ``birth_year`` set), ``sex``, ``phone``, ``income``,
    ``address``, ``kpj``, ``desa``; other keys pass through. ``birth_year`` is always added."""
    out = dict(record)
    if "nik" in out:
        out["nik"] = out["nik"] if views.nik is View.FULL else mask_nik(out["nik"])
    if "name" in out:
        out["name"] = (out["name"] if views.name is View.FULL
                       else mask_name(out["name"]) if views.name is View.PARTIAL else "")  # fmt: skip
    if "birth_date" in out:
        born: dt.date | None = out["birth_date"]
        out["birth_year"] = born.year if born is not None and views.birth_date is not View.HIDDEN else None
        out["birth_date"] = born if views.birth_date is View.FULL else None
    if "sex" in out and views.sex is not View.FULL:
        out["sex"] = ""
    if "income" in out and views.income is not View.FULL:
        out["income"] = None
    for key in ("phone", "address", "kpj"):
        if key in out:
            out[key] = _text(out[key], getattr(views, key))
    if "desa" in out and views.village is not View.FULL:
        out["desa"] = ""
    return out


def apply_frame(frame: pl.DataFrame, views: FieldViews, full: pl.Expr | None = None) -> pl.DataFrame:
    """``frame`` with its personal columns (same names as :func:`apply_record`) masked as ``views`` says —
    vectorised. ``full`` (optional boolean expression) marks rows shown in full regardless (e.g. villages the
    user holds a full role over)."""
    c = pl.col
    keep = full if full is not None else pl.lit(False)
    exprs: list[pl.Expr] = []
    names = set(frame.columns)
    if "nik" in names and views.nik is not View.FULL:
        masked = pl.when(c("nik").str.contains(r"^[0-9]{16}$")).then(
            c("nik").str.slice(0, 2) + pl.lit("*" * 14)
        ).otherwise(c("nik").str.replace_all(".", "*"))
        exprs.append(pl.when(keep).then(c("nik")).otherwise(masked).alias("nik"))
    if "name" in names and views.name is not View.FULL:
        initials = (
            c("name").str.split(" ")
            .list.eval(pl.element().str.slice(0, 1) + pl.element().str.slice(1).str.replace_all(".", "*"))
            .list.join(" ")
        ) if views.name is View.PARTIAL else pl.lit("")  # fmt: skip
        exprs.append(pl.when(keep).then(c("name")).otherwise(initials).alias("name"))
    if "birth_date" in names and views.birth_date is not View.FULL:
        exprs.append(pl.when(keep).then(c("birth_date")).otherwise(None).alias("birth_date"))
        if views.birth_date is View.PARTIAL:
            exprs.append(c("birth_date").dt.year().alias("birth_year"))
    for key, view in (("sex", views.sex), ("phone", views.phone), ("address", views.address), ("kpj", views.kpj)):
        if key in names and view is not View.FULL:
            exprs.append(pl.when(keep).then(c(key)).otherwise(pl.lit(None, frame.schema[key])).alias(key))
    if "income" in names and views.income is not View.FULL:
        exprs.append(pl.when(keep).then(c("income")).otherwise(None).alias("income"))
    return frame.with_columns(exprs) if exprs else frame


# --- free text (findings, messages) ------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<!\d)(\d{4})(\d{4,})")
# Dates, but not inside region codes such as 16.06.01.2001 (hence no digit or dot on either side).
_DMY = re.compile(r"(?<!\d)(?<!\d\.)\d{1,2}([-/. ])\d{1,2}\1(\d{4})(?!\d|\.\d)")
_YMD = re.compile(r"(?<!\d)(?<!\d\.)(\d{4})([-/.])\d{1,2}\2\d{1,2}(?!\d|\.\d)")
_SIX = re.compile(r"(?<!\d)\d{6}(?!\d)")  # the birth-date digits of a NIK (7-12) quoted on their own


def mask_text(text: str, views: FieldViews) -> str:
    """Free text (a finding, an error message) as ``views`` allows: without a full NIK view, digit runs of 8
    or more keep their first 4 digits (NIKs, phone and KPJ numbers); without a full birth date, dates keep
    their year and six-digit runs (a NIK's birth-date digits) are hidden. Region codes stay."""
    if views.nik is not View.FULL:
        text = _DIGIT_RUN.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text)
    if views.birth_date is not View.FULL:
        text = _DMY.sub(lambda m: f"**{m.group(1)}**{m.group(1)}{m.group(2)}", text)
        text = _YMD.sub(lambda m: f"{m.group(1)}{m.group(2)}**{m.group(2)}**", text)
        text = _SIX.sub(lambda m: "*" * len(m.group(0)), text)
    return text


def field_names() -> tuple[str, ...]:
    """The personal fields a policy covers, in table order (for the docs' role table)."""
    return tuple(f.name for f in fields(FieldViews))
