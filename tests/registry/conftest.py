"""Fixtures of the registry tests."""

from __future__ import annotations

from typing import Any

import pytest

from ucj.registry import services


@pytest.fixture
def fails_before_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next import fails inside its transaction, after the participants are written (a full disk, say)."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "open_conflicts", broken)
