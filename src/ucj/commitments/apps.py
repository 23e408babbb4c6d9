from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "ucj.commitments"
    verbose_name = "Komitmen daerah / Regional commitments"
