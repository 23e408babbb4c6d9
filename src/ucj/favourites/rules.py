"""Which URLs may be kept as favourites (pure): a path of one of the pages with filters, its query kept, never
a host or scheme (a favourite must not lead off the site)."""

from __future__ import annotations

from urllib.parse import urlsplit

#: The pages whose filters live in the URL (issue 16 item 15: dashboard, registry, planning).
PAGES = ("/cakupan/", "/registri/", "/rencana/")
MAX_URL = 500
#: How many favourites one user keeps (a list in the header, not a bookmark store).
MAX_PER_USER = 30


def clean_url(url: str) -> str | None:
    """``url`` as stored (path and query) when it is one of :data:`PAGES`, else None."""
    parts = urlsplit((url or "").strip())
    if parts.scheme or parts.netloc or parts.path not in PAGES or len(url) > MAX_URL:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
