"""Logging filter that keeps personal data (UU 27/2022 PDP) out of logs: any 16-digit run is masked."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _NIK.sub(r"\1********\2", message)
        if masked != message:
            record.msg, record.args = masked, None
        # A traceback can quote a NIK too (PostgreSQL: "Key (nik)=(...) already exists"). Formatters reuse
        # a record's exc_text, so the masked text is what gets written.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _NIK.sub(r"\1********\2", record.exc_text)
        if record.stack_info:
            record.stack_info = _NIK.sub(r"\1********\2", record.stack_info)
        return True


class ClientErrorFilter(logging.Filter):
    """On ``django.request``: an ordinary 403 (a role refused, ``PermissionDenied``) or 404 (a record outside the
    user's regions) is one line, without the traceback Django attaches to it — those are answers, not faults.
    5xx records keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info, record.exc_text = None, None
        return True
