"""An upload handler that stops reading a request body beyond ``UCJ_MAX_UPLOAD_MB`` (issue 11 §13).

Django writes uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file and has no size cap of its own;
CSRF checking parses the body before any view runs. This handler, first in FILE_UPLOAD_HANDLERS, refuses
the bytes of an oversized upload as they arrive (nothing beyond the cap reaches memory or disk) and marks
the request, so the upload page can say why (``upload_too_large``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

#: Room for the other form fields and the multipart framing around the file.
_FRAMING = 64 * 1024


def max_upload_bytes() -> int:
    """The largest roster file accepted, in bytes (``UCJ_MAX_UPLOAD_MB``)."""
    return int(settings.UCJ_MAX_UPLOAD_MB) * 1024 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """Refuse a multipart body larger than the upload cap, before and while it is read."""

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,
                         encoding: str | None = None) -> None:  # fmt: skip
        # Raising here would escape the parser (a 500): the first file chunk is refused instead, so the fields
        # before the file (the CSRF token) are still read.
        self._declared_too_large = content_length > max_upload_bytes() + _FRAMING

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if getattr(self, "_declared_too_large", False) or start + len(raw_data) > max_upload_bytes():
            self._too_large()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _too_large(self) -> None:
        if self.request is not None:
            self.request.upload_too_large = True  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=False)  # the rest of the body is read and discarded, never stored
