from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "ucj.contributions"
    verbose_name = "Iuran / Contributions"
