from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ucj.reports"
    verbose_name = "Laporan / Reports"
