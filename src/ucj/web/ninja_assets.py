"""django-ninja's bundled templates and static files (the API docs page) without importing django-ninja at
every ``django.setup()`` (issue 17 §2).

Listing ``"ninja"`` in ``INSTALLED_APPS`` makes Django import the package, which imports pydantic and all of
django-ninja (~0.1 s of every command's start-up). Only its ``templates/`` and ``static/`` folders are needed
from the app, so this app config points at the package's folder (found without importing it) under the label
``ninja``; the API itself imports django-ninja when the URL map loads. The docs page renders the bundled
template through :class:`ucj.web.api.LocalSwagger` (django-ninja looks for the literal ``"ninja"`` in
``INSTALLED_APPS`` and would fall back to its CDN page otherwise).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.apps import AppConfig


def ninja_folder() -> str:
    """The installed django-ninja package's folder (``find_spec`` locates it without running it)."""
    spec = importlib.util.find_spec("ninja")
    if spec is None or spec.origin is None:
        raise RuntimeError("django-ninja is not installed")
    return str(Path(spec.origin).parent)


class NinjaAssetsConfig(AppConfig):
    name = "ucj.web.ninja_assets"
    label = "ninja"
    verbose_name = "django-ninja (templates, static files)"
    path = ninja_folder()
