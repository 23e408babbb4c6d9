"""Pages of targeting."""

from django.urls import URLPattern

app_name = "targeting"
urlpatterns: list[URLPattern] = []
