"""Opaque participant ids for URLs and the API (pure).

A participant's URL must reveal neither its NIK nor how many people were registered before it, yet a
stored random id would cost a unique index on every bulk insert. So the public id is a keyed permutation
of the primary key: a 4-round Feistel network over 62 bits, keyed with a secret. It is computed, never
stored; the same key turns it back into the primary key.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_HALF_BITS = 31
_MASK = (1 << _HALF_BITS) - 1
_ROUNDS = 4
MAX_ID = (1 << (2 * _HALF_BITS)) - 1
_PUBLIC = re.compile(r"[0-9a-f]{16}")


def _round(key: bytes, i: int, half: int) -> int:
    digest = hmac.new(key, bytes([i]) + half.to_bytes(4, "big"), hashlib.blake2s).digest()
    return int.from_bytes(digest[:4], "big") & _MASK


def encode(pk: int, key: bytes) -> str:
    """Primary key → 16 hex characters."""
    if not 0 < pk <= MAX_ID:
        raise ValueError("id out of range")
    left, right = pk >> _HALF_BITS, pk & _MASK
    for i in range(_ROUNDS):
        left, right = right, left ^ _round(key, i, right)
    return format((left << _HALF_BITS) | right, "016x")


def decode(public: str, key: bytes) -> int | None:
    """16 hex characters → primary key, or None for anything that is not a valid public id."""
    # Only the form encode() writes: int() alone would also take '-…', '+…', '0x…', '_' and spaces.
    if not _PUBLIC.fullmatch(public):
        return None
    value = int(public, 16)
    if value > MAX_ID:
        return None
    left, right = value >> _HALF_BITS, value & _MASK
    for i in reversed(range(_ROUNDS)):
        left, right = right ^ _round(key, i, left), left
    pk = (left << _HALF_BITS) | right
    return pk if pk > 0 else None
