"""Regulations (kebijakan dan regulasi) and their documents: the instruments a region sees (its own, those of the
regions above it, the national reference rows), their changes and the PDF kept under ``UCJ_DATA_DIR``."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from ucj.commitments import filecheck
from ucj.commitments.models import Instrument
from ucj.commitments.services.base import (
    CHECKS,
    KINDS,
    CommitmentRefused,
    Values,
    _audit,
    _check_write,
    _create,
    _delete,
    _get,
    _update,
    _user,
    _visible,
)


@dataclass(frozen=True)
class Document:
    """An uploaded instrument document: its bytes and the name it was uploaded under."""

    content: bytes
    name: str


def visible_instruments(user: Any, region: str | None = None) -> QuerySet[Instrument]:
    """Instruments the user sees (their regions, the regions above them, national rows); ``region``: those that
    apply there."""
    return _visible(KINDS["instrument"], user, region)


def get_instrument(user: Any, pk: int) -> Instrument:
    found: Instrument = _get(KINDS["instrument"], user, pk)
    return found


def _check(obj: Any, code: str | None, level: int | None, kelurahan: bool) -> list[str]:
    """Which regions issue which kinds (a Perdes/Perkades a desa, not a kelurahan: ``filecheck.INSTRUMENT_LEVELS``)."""
    allowed = filecheck.INSTRUMENT_LEVELS.get(obj.kind)
    if code and allowed is not None and (level not in allowed or (obj.kind in ("perdes", "perkades")
                                                                  and kelurahan)):  # fmt: skip
        return [f"{obj.kind} tidak dikeluarkan oleh wilayah {code} / not issued by region {code}"]
    return []


CHECKS["instrument"] = _check


def create_instrument(user: Any, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    with transaction.atomic():
        found: Instrument = _create(KINDS["instrument"], user, values, request)
        if document is not None:
            _attach(found, document, user, request)
    return found


def update_instrument(user: Any, pk: int, values: Values, *, document: Document | None = None,
                      request: HttpRequest | None = None) -> Instrument:  # fmt: skip
    with transaction.atomic():
        found: Instrument = _update(KINDS["instrument"], user, pk, values, request)
        if document is not None:
            _attach(found, document, user, request)
    return found


def delete_instrument(user: Any, pk: int, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        gone: Instrument = _delete(KINDS["instrument"], user, pk, request)
        path = gone.document_path
        transaction.on_commit(lambda: _drop_file(path))


def remove_document(user: Any, pk: int, *, request: HttpRequest | None = None) -> Instrument:
    """Remove an instrument's document (the instrument stays)."""
    with transaction.atomic():
        found = _get(KINDS["instrument"], user, pk, lock=True)
        _check_write(user, "instrument", found.region_id)
        old = found.document_path
        if old:
            found.document_path, found.document_sha256, found.document_size, found.document_name = "", "", 0, ""
            found.updated_by = _user(user)
            found.save()
            _audit("commitments.instrument.document_remove", KINDS["instrument"], found, user, request,
                   {"document": [old, None]})  # fmt: skip
            transaction.on_commit(lambda: _drop_file(old))
    result: Instrument = found
    return result


def instrument_document(user: Any, pk: int) -> tuple[Path, str]:
    """The stored PDF of an instrument the user sees and the name to download it under (404 otherwise)."""
    found = get_instrument(user, pk)
    if not found.document_path:
        raise Http404
    path = _documents_dir() / Path(found.document_path).name
    if not path.is_file():
        raise Http404
    return path, found.document_name or f"{found.kind}-{found.pk}.pdf"


def max_document_bytes() -> int:
    """``UCJ_MAX_DOCUMENT_MB`` (default 20 MB): the largest instrument document accepted."""
    return int(settings.UCJ_MAX_DOCUMENT_MB) * 1024 * 1024


PDF_MAGIC = b"%PDF-"


def check_document(document: Document) -> None:
    """Refuse a document that is too large or not a PDF (by its first bytes, not its name)."""
    limit = max_document_bytes()
    if len(document.content) > limit:
        size = f"{len(document.content) / 2**20:.1f} MB > {limit / 2**20:.0f} MB"
        raise CommitmentRefused(f"Dokumen terlalu besar: {size} / the document is too large (UCJ_MAX_DOCUMENT_MB)")
    if not document.content.startswith(PDF_MAGIC):
        raise CommitmentRefused("Dokumen harus PDF / the document must be a PDF")


def _documents_dir() -> Path:
    path = Path(settings.DATA_DIR) / "commitments" / "documents"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    """The uploaded name without folders or control characters, ending in .pdf (kept for the download)."""
    base = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", os.path.basename(str(name or "").replace("\\", "/"))).strip(" .")
    base = base[:190] or "dokumen"
    return base if base.lower().endswith(".pdf") else base + ".pdf"


def _attach(found: Instrument, document: Document, user: Any, request: HttpRequest | None) -> None:
    """Store the PDF under ``UCJ_DATA_DIR/commitments/documents/<sha256>.pdf`` (0600, written once) and point the
    instrument at it; the previous file is removed after the commit when nothing else points at it."""
    check_document(document)
    digest = hashlib.sha256(document.content).hexdigest()
    target = _documents_dir() / f"{digest}.pdf"
    if not target.exists():
        partial = target.with_suffix(f".{os.getpid()}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(document.content)
        os.replace(partial, target)
    old = found.document_path
    found.document_path, found.document_sha256 = target.name, digest
    found.document_size, found.document_name = len(document.content), _safe_name(document.name)
    found.updated_by = _user(user)
    found.save()
    _audit("commitments.instrument.document", KINDS["instrument"], found, user, request,
           {"document": [old or None, target.name], "size": [None, found.document_size]})  # fmt: skip
    if old and old != target.name:
        transaction.on_commit(lambda: _drop_file(old))


def _drop_file(name: str) -> None:
    if name and not Instrument.objects.filter(document_path=name).exists():
        (_documents_dir() / Path(name).name).unlink(missing_ok=True)
