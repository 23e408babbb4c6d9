"""Text and path parameters of ``ucj`` coerced without pydantic (issue 17 §2).

Typer 0.29 coerces every command-line value through a pydantic ``TypeAdapter``: the first command parameter a
command converts imports pydantic and builds adapters (~0.1 s of every ``ucj`` command, before any work).
Most of ucj's parameters are plain ``str`` options and ``Path`` arguments, whose conversion of command-line
text is the identity (``str``) or ``Path(text)`` followed by typer's own checks (``coerce_cli_path``: exists,
file/dir, readable, resolve). :func:`install` gives exactly those parameters a runtime coercion that does the
same without pydantic, and so do flags (``bool``) given True/False; any other parameter or value (numbers,
choices, dates, lists, custom parsers, a flag's text from an environment variable) keeps typer's. Nothing
changes when typer's internals are not the ones this was written for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


def install() -> bool:
    """Route plain ``str``/``Path`` parameters around pydantic; returns whether it could."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor
        from typer._param_types import coerce_cli_path
    except ImportError:
        return False
    found = getattr(core, "build_runtime_param", None)
    if found is None or getattr(found, "_ucj_plain", False):
        return found is not None
    typers: Any = found
    fallback: dict[Any, Any] = {}

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        """Coerces command-line text itself, and anything else through typer's own coercion."""

        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is bool and isinstance(value, bool):
                return value
            if self.annotation is str and isinstance(value, str):
                return value
            if self.annotation is Path and isinstance(value, str):
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            if self.descriptor not in fallback:  # anything else: typer's own coercion, built when first needed
                fallback[self.descriptor] = typers(self.descriptor)
            return fallback[self.descriptor]._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: TypeDescriptor) -> Any:
        if _plain(descriptor):
            return PlainParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                              descriptor=descriptor)  # fmt: skip
        return typers(descriptor)

    build_runtime_param._ucj_plain = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
    return True


def _plain(descriptor: Any) -> bool:
    """A ``str``, ``bool`` or ``pathlib.Path`` parameter with no parser, no file opening, and (for a path) no
    path type of its own: typer's adapter then is the identity for text and for a flag's own True/False, or
    ``Path(text)`` + ``coerce_cli_path``."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or getattr(info, "parser", None) is not None:
        return False
    if descriptor.annotation in (str, bool):
        return True
    return descriptor.annotation is Path and getattr(info, "path_type", None) is None
