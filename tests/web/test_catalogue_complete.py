"""Every string the interface shows is in an English catalogue (issue 16 item 9): the ``{% translate %}`` and
``{% blocktranslate %}`` strings of every template under src/ucj and the gettext messages of every module, checked
against the project catalogue and each package's own (``src/ucj/*/locale``). Django's ``templatize`` (what
makemessages runs) turns a template into gettext calls; Python modules are read with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils.translation.template import templatize

from tests.test_i18n import CATALOGS, catalog_entries

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "ucj"
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
           "npgettext", "npgettext_lazy"}  # fmt: skip
CONTEXT_FIRST = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def catalogued() -> set[str]:
    """Every key of every English catalogue (``context\\x04msgid`` with a context), as Django merges them."""
    return {entry.key for po in CATALOGS for entry in catalog_entries(po)[1]}


def _call_messages(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in GETTEXT:
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name in CONTEXT_FIRST:
            if len(args) >= 2 and args[0] is not None and args[1] is not None:
                found.append((node.lineno, f"{args[0]}\x04{args[1]}"))
        elif args and args[0] is not None:
            found.append((node.lineno, args[0]))
    return found


def template_messages(path: Path) -> list[tuple[int, str]]:
    """The translatable strings of one template (line numbers are templatize's, close to the template's)."""
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    # templatize writes gettext(u'…') calls between placeholder characters; each call is valid Python.
    messages: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        for start in (i for i in range(len(line)) if line.startswith(("gettext(", "pgettext(", "ngettext(",
                                                                       "npgettext("), i)):  # fmt: skip
            if start and (line[start - 1].isalnum() or line[start - 1] == "_"):
                continue
            call = _balanced(line, start)
            if call:
                messages.extend((number, _unescape(m)) for _n, m in _call_messages(ast.parse(call)))
    return messages


def _unescape(message: str) -> str:
    """templatize doubles a literal ``%``; makemessages keeps it single where the message has no placeholder."""
    return message if "%(" in message else message.replace("%%", "%")


def _balanced(line: str, start: int) -> str | None:
    """The call starting at ``start``: up to its closing parenthesis, skipping quoted text."""
    depth, quote, i = 0, "", start
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return line[start : i + 1]
        i += 1
    return None


def missing() -> list[str]:
    known = catalogued()
    gaps: list[str] = []
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        gaps += [f"{path.relative_to(PACKAGE)}:{n}: {m!r}" for n, m in template_messages(path) if m not in known]
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        gaps += [f"{path.relative_to(PACKAGE)}:{n}: {m!r}" for n, m in _call_messages(tree) if m not in known]
    return gaps


def test_the_scanner_finds_template_and_python_strings(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    source = ('{% load i18n %}<h1>{% translate "Tagihan" %}</h1>{% blocktranslate with n=x %}Ada {{ n }} '
              'peserta{% endblocktranslate %}<p title="{% translate \'Kwitansi\' %}">')  # fmt: skip
    page.write_text(source, encoding="utf-8")
    assert [m for _n, m in template_messages(page)] == ["Tagihan", "Ada %(n)s peserta", "Kwitansi"]
    module = ast.parse('from x import gettext as _\n_("Satu")\npgettext_lazy("menu", "Dua")\nf(_(name))\n')
    assert [m for _n, m in _call_messages(module)] == ["Satu", "menu\x04Dua"]


def test_every_interface_string_is_in_a_catalogue() -> None:
    gaps = missing()
    assert gaps == [], "strings without English (add them to the catalogue, docs/i18n.md):\n" + "\n".join(gaps)
