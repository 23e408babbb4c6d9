"""Findings of list and BPJS-file loads (pure): the roster's codes (:mod:`ucj.registry.issues`) plus those of
targeting, Indonesian and English. Codes are part of the public contract (CLI ``--json``, API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ucj.registry import issues
from ucj.registry.issues import IssueType

_TYPES = [
    IssueType("STATUS_MISSING", "error", "Status kepesertaan kosong (isi aktif atau non aktif).",
              "The membership status is empty (fill in aktif or non aktif)."),
    IssueType("STATUS_UNKNOWN", "error",
              "Status '{value}' tidak dikenal; gunakan aktif atau non aktif (juga: tidak aktif, NA).",
              "Status '{value}' is not recognised; use aktif or non aktif (also: tidak aktif, NA)."),
    IssueType("NIK_OUTSIDE_REGION", "error",
              "NIK ini tercatat di luar wilayah Anda; baris tidak disimpan.",
              "This NIK is recorded outside your region; the row was not stored."),
    IssueType("NAME_DISAGREES", "warning",
              "Nama berbeda dengan data lain ({extra}); tidak ditimpa, masuk daftar tinjauan.",
              "The name differs from other data ({extra}); not overwritten, listed for review."),
    IssueType("BIRTHDATE_DISAGREES", "warning",
              "Tanggal lahir berbeda dengan data lain ({extra}); tidak ditimpa, masuk daftar tinjauan.",
              "The birth date differs from other data ({extra}); not overwritten, listed for review."),
]  # fmt: skip

ISSUE_TYPES: dict[str, IssueType] = {**issues.ISSUE_TYPES, **{t.code: t for t in _TYPES}}


@dataclass(frozen=True, slots=True)
class Finding(issues.Finding):
    """One issue on one row of a list or BPJS file (row 0 = the whole file)."""

    catalogue: ClassVar[dict[str, IssueType]] = ISSUE_TYPES
