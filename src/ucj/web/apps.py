from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ucj.web"
    verbose_name = "Web"
