from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "ucj.regions"
    verbose_name = "Wilayah / Regions"
