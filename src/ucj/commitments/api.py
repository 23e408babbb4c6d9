"""REST endpoints of commitments."""

from ninja import Router

router = Router(tags=["komitmen / commitments"])
