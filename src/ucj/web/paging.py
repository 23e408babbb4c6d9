"""Keyset pagination and capped counts: list pages stay fast on millions of rows.

OFFSET pagination and exact ``COUNT(*)`` both scan everything before the page; a keyset page reads only
the rows it shows (``id > after``), and the count stops at ``cap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
COUNT_CAP = 1_000


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_after: int | None
    prev_before: int | None
    count: int
    count_capped: bool


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): the exact count up to ``cap``, else (cap, True)."""
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def keyset_page(qs: QuerySet[M], *, after: str | None, before: str | None, size: int) -> KeysetPage[M]:
    """One page of ``qs`` in primary-key order, after (or before) the given key."""
    after_id, before_id = _int(after), _int(before)
    if before_id is not None:
        rows = list(qs.filter(pk__lt=before_id).order_by("-pk")[: size + 1])
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_more_after = True
    else:
        base = qs.filter(pk__gt=after_id) if after_id is not None else qs
        rows = list(base.order_by("pk")[: size + 1])
        has_more_after = len(rows) > size
        rows = rows[:size]
        has_more_before = after_id is not None
    count, capped = capped_count(qs)
    return KeysetPage(
        items=rows,
        next_after=rows[-1].pk if rows and has_more_after else None,
        prev_before=rows[0].pk if rows and has_more_before else None,
        count=count,
        count_capped=capped,
    )
