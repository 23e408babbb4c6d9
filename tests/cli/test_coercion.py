"""ucj.cli.coercion (issue 17 §2): text, path and flag parameters of every ``ucj`` command are coerced exactly as
typer's pydantic adapters coerce them, without importing pydantic for a command that only has those."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param as typers_own

from ucj.cli import coercion
from ucj.cli.main import app


def parameters() -> list[Any]:
    """Every parameter of every ``ucj`` command that ucj.cli.coercion takes over."""
    found, stack = [], [typer.main.get_command(app)]
    while stack:
        command = stack.pop()
        stack.extend(getattr(command, "commands", {}).values())
        found += [p for p in command.params if hasattr(p, "type_descriptor") and coercion._plain(p.type_descriptor)]
    return found


def outcome(runtime: Any, value: Any, param: Any) -> Any:
    try:
        return ("ok", runtime.coerce(value, param=param, ctx=None))
    except BadParameter as err:
        return ("refused", err.format_message())


def test_plain_parameters_read_as_typer_reads_them(tmp_path: Path) -> None:
    assert coercion.install()  # installed by ucj.cli.main; installing again changes nothing
    (tmp_path / "daftar.csv").write_text("NIK\n")
    files = [str(tmp_path), str(tmp_path / "daftar.csv"), str(tmp_path / "tidak-ada.xlsx"), "-"]
    texts = ["", "x", "  spasi  ", "Sukarami, Ü", "--json", "16.06.01.2001", *files]
    params = parameters()
    seen = {p.type_descriptor.annotation for p in params}
    assert seen == {str, bool, Path} and len(params) > 50
    for param in params:
        ours = typer.core.build_runtime_param(param.type_descriptor)
        theirs = typers_own(param.type_descriptor)
        assert type(ours) is not type(theirs)
        values = [True, False] if param.type_descriptor.annotation is bool else [*texts, None]
        for value in values:
            assert outcome(ours, value, param) == outcome(theirs, value, param), (param.name, value)


def test_other_values_go_to_typer() -> None:
    flag = next(p for p in parameters() if p.name == "as_json")
    ours: Any = typer.core.build_runtime_param(flag.type_descriptor)
    assert ours.coerce("yes", param=flag, ctx=None) is True  # text for a flag (an environment variable)


@pytest.mark.parametrize("args", [["import", "roster", "/tidak/ada.csv", "--json"], ["--help"]])
def test_a_text_and_path_command_does_not_import_pydantic(tmp_path: Path, args: list[str]) -> None:
    code = (
        "import json, sys\n"
        "import ucj.cli.imports as imports\n"
        "imports.boot = lambda: None\n"  # no database: only the command line is looked at
        "from ucj.cli.main import app\n"
        f"try:\n    app({args!r}, standalone_mode=False)\nexcept BaseException:\n    pass\n"
        "print(json.dumps('pydantic' in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(UCJ_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ucj.settings")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
