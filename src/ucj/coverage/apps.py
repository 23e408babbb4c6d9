from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "ucj.coverage"
    verbose_name = "Cakupan / Coverage"

    def ready(self) -> None:
        from ucj.coverage.services import refresh_after_change
        from ucj.registry.signals import participants_changed

        participants_changed.connect(refresh_after_change, dispatch_uid="ucj.coverage.refresh")
