"""Masking personal data (UU 27/2022 PDP) for roles that need no full view (pure)."""

from __future__ import annotations

from ucj.registry.nik import mask_nik

__all__ = ["mask_name", "mask_nik"]


def mask_name(name: str | None) -> str:
    """``'Siti Aminah'`` → ``'S*** A*****'``: initials stay so a list remains usable, the name does not."""
    if not name:
        return ""
    return " ".join(w[0] + "*" * (len(w) - 1) if w else w for w in name.split(" "))
