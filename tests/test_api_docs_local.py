"""The API docs page is rendered from django-ninja's bundled template and static files, never its CDN page,
now that django-ninja is installed through ucj.web.ninja_assets (issue 17 §2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_from_this_site(make_user: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(make_user("viewer", "16"))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    body = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "swagger-ui.css" in body
    assert "cdn" not in body.lower() and "https://" not in body
