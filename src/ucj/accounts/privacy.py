"""Masking personal data (UU 27/2022 PDP) for roles that need no full view (pure)."""

from __future__ import annotations

import re

from ucj.registry.nik import mask_nik

__all__ = ["mask_digits", "mask_name", "mask_nik"]

_DIGIT_RUN = re.compile(r"(?<!\d)(\d{4})(\d{4,})")


def mask_name(name: str | None) -> str:
    """``'Siti Aminah'`` → ``'S*** A*****'``: initials stay so a list remains usable, the name does not."""
    if not name:
        return ""
    return " ".join(w[0] + "*" * (len(w) - 1) if w else w for w in name.split(" "))


def mask_digits(text: str) -> str:
    """Mask every run of 8 or more digits in free text after its first 4 (NIKs, also malformed ones with a
    digit too many or too few, phone and KPJ numbers): ``'16060113019000441'`` → ``'1606*************'``."""
    return _DIGIT_RUN.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text)
