"""REST endpoints of targeting."""

from ninja import Router

router = Router(tags=["sasaran / targeting"])
