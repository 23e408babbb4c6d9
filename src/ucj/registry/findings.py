"""Import findings as a page shows them: each with the person's name beside the row number, masked as the
viewer's role requires (ucj.accounts.policy), and the message in the page's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ucj.accounts.policy import FieldViews, apply_record, mask_text
from ucj.registry.models import ImportBatch, Participant
from ucj.registry.reimport import column_index


@dataclass(frozen=True)
class ShownFinding:
    """One finding line of a page: ``issue`` (a Finding or an ImportIssue), its masked ``name`` and ``message``."""

    issue: Any
    name: str
    message: str


def shown_findings(issues: Iterable[Any], names: dict[int, str], views: FieldViews, lang: str) -> list[ShownFinding]:
    """``issues`` (with ``row`` and ``message(lang)``) and the names of their rows, masked by ``views``."""
    return [
        ShownFinding(issue, apply_record({"name": names.get(issue.row, "")}, views)["name"],
                     mask_text(issue.message(lang), views))
        for issue in issues
    ]  # fmt: skip


def batch_row_names(batch: ImportBatch, rows: set[int]) -> dict[int, str]:
    """The names on ``rows`` of a stored batch: a rejected row's name cell as uploaded (its stored cells), else
    the person the row created or updated (``source_batch``/``source_row``)."""
    rows.discard(0)
    if not rows:
        return {}
    names = {
        row: name
        for row, name in Participant.objects.filter(source_batch=batch, source_row__in=sorted(rows)).values_list(
            "source_row", "name"
        )
        if row is not None
    }
    index = column_index(batch, "name")
    if index is not None:
        for row, cells in batch.rejected_rows.filter(row__in=sorted(rows)).values_list("row", "cells"):
            if index < len(cells) and cells[index]:
                names[row] = str(cells[index]).strip()
    return names
