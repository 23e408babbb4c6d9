from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ucj.notifications"
    verbose_name = "Pemberitahuan / Notifications"
    default_auto_field = "django.db.models.BigAutoField"
