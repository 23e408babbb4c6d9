from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "ucj.planning"
    verbose_name = "Perencanaan anggaran / Budget planning"
