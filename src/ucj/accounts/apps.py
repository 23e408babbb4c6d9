from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ucj.accounts"
    verbose_name = "Akun & audit / Accounts & audit"

    def ready(self) -> None:
        from ucj.accounts import signals  # noqa: F401  (login/logout audit receivers)
