"""The installed ``ucj`` entry point starts and documents itself (a real subprocess, no database)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

UCJ = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ucj"


@pytest.mark.skipif(not UCJ.exists(), reason=f"no installed entry point at {UCJ}")
def test_ucj_help() -> None:
    top = subprocess.run([str(UCJ), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert top.returncode == 0, top.stderr
    for command in ("import", "regions", "users", "demo", "serve"):
        assert command in top.stdout
    roster = subprocess.run(
        [str(UCJ), "import", "roster", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert roster.returncode == 0, roster.stderr
    assert "--dry-run" in roster.stdout and "--json" in roster.stdout
