from django.apps import AppConfig


class TargetingConfig(AppConfig):
    name = "ucj.targeting"
    verbose_name = "Sasaran dan pendaftaran / Targeting and enrolment"
