"""Messages that carry both languages (``"indonesian / english"``: CLI, API, findings) shown in one (pure)."""

from __future__ import annotations

import re


def in_language(message: str, language: str | None) -> str:
    """One half of a bilingual ``"indonesian / english"`` message (the calculator's and the rules' errors).

    A leading ``field:`` of the Indonesian half is kept on the English one.
    """
    if " / " not in message:
        return message
    indonesian, english = message.split(" / ", 1)
    if not (language or "").startswith("en"):
        return indonesian
    prefix = re.match(r"^[\w./-]+: ", indonesian)
    if prefix and not english.startswith(prefix.group(0)) and not re.match(r"^[\w./-]+: ", english):
        return prefix.group(0) + english
    return english
