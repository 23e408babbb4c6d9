from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class TargetingConfig(AppConfig):
    name = "ucj.targeting"
    verbose_name = "Sasaran dan pendaftaran / Targeting and enrolment"

    def ready(self) -> None:
        from ucj.registry.signals import participants_changed

        # Paid contributions move registered people to active (issue 14 §4): payments and imports announce the
        # villages whose participants changed; the receiver looks only at those villages.
        participants_changed.connect(_payments_changed, dispatch_uid="ucj.targeting.payments")


def _payments_changed(sender: Any, desa_codes: list[str], **kwargs: Any) -> None:
    from ucj.targeting.models import Enrolment
    from ucj.targeting.rules import PAYMENT_FROM

    if not Enrolment.objects.filter(status__in=list(PAYMENT_FROM)).exists():
        return  # no enrolment waits for a payment: nothing can move (and the services, numpy, stay unloaded)
    from ucj.targeting.services import sync_payments

    sync_payments(desa_codes)
