"""Start-up and exit of the command line (issue 17 §2), in fresh processes: what ``django.setup()`` imports,
and that the fast exit keeps output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UCJ = str(Path(sys.executable).with_name("ucj"))


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["UCJ_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_django_setup_imports_no_polars_coverage_or_pii_detectors(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from ucj.cli.setup import boot\n"
        "boot(migrate=False)\n"
        "from ucj.regions.reference import iter_reference\n"
        "next(iter_reference('16'))\n"
        "print(json.dumps(sorted(m for m in ('polars', 'ucj.coverage.services', 'lokal.samaran', 'numpy') "
        "if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=child_env(tmp_path), capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert json.loads(out.stdout) == []


def test_lokal_still_whole_for_whoever_imports_it(tmp_path: Path) -> None:
    code = (
        "from ucj.regions.reference import SOURCE\n"
        "import lokal\n"
        "print(lokal.__version__ in SOURCE, lokal.is_valid_nik('3171014101900001') in (True, False), "
        "callable(lokal.mask_pii))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=child_env(tmp_path), capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.split() == ["True", "True", "True"]


@pytest.mark.parametrize(
    ("args", "status", "expect"),
    [
        (["--help"], 0, "Usage: ucj"),
        (["no-such-command"], 2, "No such command"),
        (["import", "roster", "/no/such/file.csv", "--json"], 1, "FILE_NOT_FOUND"),
    ],
)
def test_the_fast_exit_keeps_output_and_exit_codes(tmp_path: Path, args: list[str], status: int, expect: str) -> None:
    out = subprocess.run([UCJ, *args], env=child_env(tmp_path), capture_output=True, text=True)
    assert out.returncode == status
    assert expect in out.stdout + out.stderr


def test_the_fast_exit_flushes_a_large_json_report_through_a_pipe(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    subprocess.run([UCJ, "regions", "load"], env=env, check=True, capture_output=True)
    lines = ["NIK,Nama,Kode Desa"] + [f"16060101078{i:05d},Orang {i},16.06.01.2001" for i in range(1, 400)]
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(lines) + "\n")
    out = subprocess.run([UCJ, "import", "roster", str(roster), "--json"], env=env, capture_output=True, text=True)
    assert out.returncode == 0
    report = json.loads(out.stdout)  # complete JSON: nothing lost in the buffers at exit
    assert report["rows"] == 399 and report["accepted"] + report["rejected"] == 399


def test_boot_skips_the_migration_graph_only_when_every_file_is_applied(tmp_path: Path) -> None:
    env = child_env(tmp_path)
    code = (
        "from ucj.cli.setup import all_applied, boot\n"
        "boot()\n"  # a fresh database: migrated
        "print(all_applied())\n"
        "from django.db import connection\n"
        "with connection.cursor() as cur:\n"
        "    cur.execute(\"DELETE FROM django_migrations WHERE app = 'registry' AND name LIKE '0001%%'\")\n"
        "print(all_applied())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_django_setup_imports_no_django_ninja_and_the_docs_stay_local(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ucj.cli.setup import boot\n"
        "boot(migrate=False)\n"
        "print('ninja' in sys.modules, 'pydantic' in sys.modules)\n"
        "from django.template.loader import get_template\n"
        "from django.contrib.staticfiles import finders\n"
        "print(get_template('ninja/swagger.html') is not None, bool(finders.find('ninja/swagger-ui.css')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=child_env(tmp_path), capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.split() == ["False", "False", "True", "True"]
