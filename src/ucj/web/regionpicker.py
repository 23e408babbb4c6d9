"""A region picker that scales (issue 16 item 8): a searchable tree province → kab/kota → kecamatan → desa.

Without JavaScript it is the plain ``<select>`` of the few upper levels the page offers (the fallback); with
``ucj/regionpicker.js`` the select is hidden and a combobox with a tree takes its place, asking
:func:`region_options` (``/wilayah/pilih/``) for one level at a time or for names matching what was typed. The
form field accepts any region the user reaches down to ``max_level`` (not only the fallback's options); services
still decide whether the user may act there (``ucj.accounts.scoping``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ucj.accounts.scoping import Scope
from ucj.regions.codes import contains, normalize_code
from ucj.regions.models import Level, Region

#: At most this many answers to one search (a name typed is narrowed further by typing more).
SEARCH_LIMIT = 30


class RegionPicker(forms.Select):
    """The fallback ``<select>``, marked for the script (``data-region-picker``) with the URL it asks."""

    def __init__(self, max_level: int = 4, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(attrs={"data-region-picker": "", "data-max-level": str(max_level), **(attrs or {})}, **kwargs)
        self.max_level = max_level

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-url"] = reverse("region_options")
        context["widget"]["attrs"]["data-placeholder"] = str(_("Ketik nama wilayah…"))
        return context


class RegionField(forms.ChoiceField):
    """A region code: one of the fallback choices, or any region of ``scope`` (when bound with
    :func:`bind_region_field`; else any region) down to ``max_level`` (picked in the tree). The value is the
    dotted code; a region chosen in the tree is added to the choices so the fallback select shows it when the
    page comes back."""

    def __init__(self, *args: Any, max_level: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("widget", RegionPicker(max_level=max_level))
        super().__init__(*args, **kwargs)
        self.max_level = max_level
        self.scope: Scope | None = None
        self.within: tuple[str, ...] | None = None  # without a scope: only regions below these codes

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return (normalize_code(text) or text) if text else ""

    def valid_value(self, value: Any) -> bool:
        if super().valid_value(value):
            return True
        # Without a scope (a list filter, whose rows are scoped anyway) any region is a valid filter: region
        # names and codes are public reference data.
        if not value or not self.allows(value):
            return False
        region = Region.objects.filter(code=value, level__lte=self.max_level).values_list("name", flat=True).first()
        if region is None:
            return False
        self.add_choice(value, region)
        return True

    def allows(self, code: str) -> bool:
        """Whether ``code`` lies inside the user's scope (or, without one, below one of ``within``)."""
        if self.scope is not None and not self.scope.covers(code):
            return False
        return self.within is None or any(contains(root, code) for root in self.within)

    def add_choice(self, code: str, name: str) -> None:
        self.choices = [*list(self.choices), (code, f"{name} ({code})")]  # type: ignore[arg-type]

    def has_choice(self, code: str) -> bool:
        return any(c == code for c, _label in list(self.choices))  # type: ignore[arg-type]


def bind_region_field(form: forms.Form, name: str, scope: Scope | None,
                      within: tuple[str, ...] | None = None) -> None:  # fmt: skip
    """Give a form's RegionField the user's scope (or, without one, the codes whose regions it may take), and keep
    a region picked in the tree on a re-shown form."""
    field = form.fields[name]
    assert isinstance(field, RegionField)
    field.scope, field.within = scope, within
    value = form.data.get(name) if form.is_bound else form.initial.get(name)
    code = normalize_code(str(value)) if value else None
    if code and not field.has_choice(code) and field.allows(code):
        name_of = Region.objects.filter(code=code, level__lte=field.max_level).values_list("name", flat=True).first()
        if name_of:
            field.add_choice(code, name_of)


def _roots(scope: Scope) -> Any:
    if scope.everywhere:
        return Region.objects.filter(level=Level.PROVINSI)
    codes = scope.regions
    top = [c for c in codes if not any(c != o and c.startswith(o + ".") for o in codes)]
    return Region.objects.filter(code__in=top)


def region_options(scope: Scope, *, parent: str | None, query: str, max_level: int) -> list[dict[str, Any]]:
    """Regions for the picker: the user's top regions (no parent), the children of ``parent``, or up to
    :data:`SEARCH_LIMIT` regions whose name contains ``query`` — always inside the user's scope and down to
    ``max_level``. Each answer: code, name, level, level name, whether it has children to open, and its path."""
    query = query.strip()
    if query:
        wanted = Q(name__icontains=query) | Q(code__startswith=query)
        qs = Region.objects.filter(wanted, scope.region_q("code"), level__lte=max_level).order_by("level", "name")
        rows = list(qs[:SEARCH_LIMIT])
    elif parent:
        code = normalize_code(parent)
        if code is None or not scope.covers(code):
            return []
        rows = list(Region.objects.filter(parent_id=code, level__lte=max_level).order_by("code"))
    else:
        rows = list(_roots(scope).filter(level__lte=max_level).order_by("code"))
    return _describe(rows, max_level, with_path=bool(query))


def _describe(rows: list[Region], max_level: int, *, with_path: bool) -> list[dict[str, Any]]:
    ancestors: dict[str, str] = {}
    if with_path:
        codes = {p for r in rows for p in _prefixes(r.code)}
        ancestors = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    parents = {r.code for r in rows if r.level < max_level}
    with_children = set(Region.objects.filter(parent_id__in=parents).values_list("parent_id", flat=True).distinct())
    return [{
        "code": r.code, "name": r.name, "level": r.level, "level_name": str(Level(r.level).label),
        "children": r.code in with_children,
        "path": " › ".join(ancestors[c] for c in _prefixes(r.code) if c in ancestors) if with_path else "",
    } for r in rows]  # fmt: skip


def _prefixes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]

