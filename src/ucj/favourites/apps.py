from django.apps import AppConfig


class FavouritesConfig(AppConfig):
    name = "ucj.favourites"
    verbose_name = "Favorit / Favourites"
    default_auto_field = "django.db.models.BigAutoField"
