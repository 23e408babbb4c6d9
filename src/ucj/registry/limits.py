"""What one roster file may cost to read: :class:`ReadLimits`, and :func:`read_limits` from the settings
(``UCJ_MAX_*``, ``UCJ_PARSE_*``; docs/architecture.md).

Only the standard library at import: the command line reads the limits before Django starts, to start parsing a
large file while Django starts (:func:`ucj.registry.sandbox.start_reading`), and the parse child imports this
before its limits are set.
"""

from __future__ import annotations

from dataclasses import dataclass

_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one roster file may cost to read (settings ``UCJ_MAX_*``, see ucj.settings)."""

    max_bytes: int = 50 * _MB
    max_uncompressed: int = 500 * _MB
    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cell_chars: int = 2_000
    #: Files whose work size (an xlsx's uncompressed size, else the file size) exceeds this are parsed in a
    #: child process under the memory and time limits below; smaller ones in-process (start-up stays fast).
    inprocess_bytes: int = 16 * _MB
    memory_bytes: int = 3072 * _MB
    timeout_seconds: float = 300.0


DEFAULT_LIMITS = ReadLimits()


def read_limits() -> ReadLimits:
    """The roster-file limits from the settings (readable before Django's app registry is ready)."""
    from django.conf import settings

    return ReadLimits(
        max_bytes=settings.UCJ_MAX_UPLOAD_MB * _MB, max_uncompressed=settings.UCJ_MAX_XLSX_UNCOMPRESSED_MB * _MB,
        max_rows=settings.UCJ_MAX_ROWS, max_columns=settings.UCJ_MAX_COLUMNS,
        max_cell_chars=settings.UCJ_MAX_CELL_CHARS, inprocess_bytes=settings.UCJ_PARSE_INPROCESS_MB * _MB,
        memory_bytes=settings.UCJ_PARSE_MEMORY_MB * _MB, timeout_seconds=settings.UCJ_PARSE_TIMEOUT_S,
    )  # fmt: skip
