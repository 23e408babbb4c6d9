"""The roster-file limits from the settings (``UCJ_MAX_*``, ``UCJ_PARSE_*``; docs/architecture.md).

Apart from the services, with no model import: the command line reads them before Django's app registry is
ready, to start parsing a large file while Django starts (:func:`ucj.registry.sandbox.start_reading`).
"""

from __future__ import annotations

from django.conf import settings

from ucj.registry.reader import ReadLimits


def read_limits() -> ReadLimits:
    """The roster-file limits from the settings."""
    mb = 1024 * 1024
    return ReadLimits(
        max_bytes=settings.UCJ_MAX_UPLOAD_MB * mb, max_uncompressed=settings.UCJ_MAX_XLSX_UNCOMPRESSED_MB * mb,
        max_rows=settings.UCJ_MAX_ROWS, max_columns=settings.UCJ_MAX_COLUMNS,
        max_cell_chars=settings.UCJ_MAX_CELL_CHARS, inprocess_bytes=settings.UCJ_PARSE_INPROCESS_MB * mb,
        memory_bytes=settings.UCJ_PARSE_MEMORY_MB * mb, timeout_seconds=settings.UCJ_PARSE_TIMEOUT_S,
    )  # fmt: skip
