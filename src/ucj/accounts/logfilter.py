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
        return True
