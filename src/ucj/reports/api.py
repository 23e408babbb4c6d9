"""REST endpoints of reports."""

from ninja import Router

router = Router(tags=["laporan / reports"])
