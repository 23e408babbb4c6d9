"""Every workbook UCJ writes is opened here: text stays text.

A cell that reads ``=HYPERLINK("http://…","klik")`` or ``=cmd|' /C calc'!A0`` in a roster (a name, an address, an
occupation) must come back out of an export as that text, never as a formula or a link that runs when someone
opens the file (formula / CSV injection). XlsxWriter's ``write()`` turns strings starting with ``=`` into
formulas and URL-like strings into hyperlinks unless told not to; these options turn both off for every sheet
of the workbook. Values such as ``+cmd``, ``-1+1`` or ``@SUM(A1)`` are stored as strings (shared strings), which
Excel and LibreOffice show as text. ``strings_to_numbers`` stays off so NIKs and codes keep their digits.
"""

from __future__ import annotations

from typing import Any

import xlsxwriter

SAFE_OPTIONS: dict[str, Any] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def workbook(target: Any, **options: Any) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook writing to ``target`` (a path or a binary buffer) that never writes a formula
    or a link from a string; ``options`` may add e.g. ``constant_memory`` but cannot turn the guards off."""
    merged = {**SAFE_OPTIONS, **options, "strings_to_formulas": False, "strings_to_urls": False}
    return xlsxwriter.Workbook(target, merged)
