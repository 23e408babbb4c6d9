"""URL map: pages per domain package, the REST API under /api/v1/, Django admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from ucj.web.api import api

urlpatterns = [
    path("", include("ucj.web.urls")),
    path("akun/", include("ucj.accounts.urls")),
    path("registri/", include("ucj.registry.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
