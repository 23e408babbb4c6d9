"""Is a roster row the person already registered on its NIK? (pure: no Django)

A NIK belongs to one person. A re-uploaded roster may write the same name differently — capitals, a
pilgrimage title (H., Hj.), an academic degree (S.Pd., S.Sos., S.H., Drs., Ir., Dr.), punctuation, spacing —
and that is still the same person, so the row updates the record. A different name after that
normalisation, or a different birth date when both are known, is someone else: the row must not overwrite
the record (``NIK_CONFLICT``, a person decides).

:func:`name_key` is the normalisation for one name; :func:`name_key_expr` is the same rule as a Polars
expression for the write path (one pass over the batch, no per-row Python). Tests keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import polars as pl

#: Academic degrees written after the name: S.Pd., S.Sos., S.H., S.E., S.Kom., M.Pd., M.Si., A.Md., ...
#: A one-letter level (S, M, A, D3) then the field, with optional dots and spaces between them.
_DEGREE = (
    r"\b(?:s|m|a|d[1-4])\s*\.?\s*(?:pd|sos|h|e|kom|ag|ip|t|si|kep|ked|keb|farm|hut|ak|psi|hum|tr|md|pdi|sc|kes|m|"
    r"ap|p|pt|ikom|gz|stat|ds|sn|th|i|kh|hi|fil|ars)\b\.?"
)
#: Titles written before the name (or as a separate word): Haji/Hajjah, doctor, engineer, professor, Mr/Mrs.
_TITLE = r"\b(?:h|hj|hajjah|haji|dr|drs|dra|ir|prof|ny|nn|tn|kh|st|amd)\b\.?"
#: Everything that is not a letter or a digit (punctuation, spaces) is dropped after the titles are gone.
_OTHER = r"[^a-z0-9]+"


def _fold(text: str) -> str:
    """Lower case without accents (é → e), as Polars' ``to_lowercase`` plus the accent strip below."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def name_key(name: str | None) -> str:
    """The comparable form of a name: lower case, titles and degrees removed, no punctuation or spaces."""
    if not name:
        return ""
    folded = _fold(name)
    # Degrees first: "S.H." must go as a degree before the title rule could take its "H" alone.
    folded = re.sub(_DEGREE, " ", folded)
    folded = re.sub(_TITLE, " ", folded)
    return re.sub(_OTHER, "", folded)


def name_key_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`name_key` as a Polars expression (the accents are stripped by NFKD + removing marks)."""
    folded = expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()
    return folded.str.replace_all(_DEGREE, " ").str.replace_all(_TITLE, " ").str.replace_all(_OTHER, "")


def same_person(name_a: str | None, birth_a: dt.date | None, name_b: str | None, birth_b: dt.date | None) -> bool:
    """Whether two records with the same NIK describe one person: equal name keys and, when both birth
    dates are known, equal birth dates. A blank name on either side does not make a difference."""
    if name_a and name_b and name_key(name_a) != name_key(name_b):
        return False
    return birth_a is None or birth_b is None or birth_a == birth_b


def differs_expr(name: str, stored_name: str, birth: str | None, stored_birth: str | None) -> pl.Expr:
    """True where the incoming row (columns ``name``/``birth``) is another person than the stored one
    (``stored_name``/``stored_birth``): the vectorised :func:`same_person`, negated. Null = unknown = same."""
    c = pl.col
    other_name = (
        c(name).is_not_null() & c(stored_name).is_not_null() & (name_key_expr(c(name)) != name_key_expr(c(stored_name)))
    )
    if birth is None or stored_birth is None:
        return other_name.fill_null(False)
    other_birth = c(birth).is_not_null() & c(stored_birth).is_not_null() & (c(birth) != c(stored_birth))
    return (other_name | other_birth).fill_null(False)
