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
