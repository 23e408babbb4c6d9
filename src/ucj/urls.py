"""URL map: pages per domain package, the REST API under /api/v1/, Django admin under /admin/."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from ucj.web.api import api

admin.autodiscover()  # settings use SimpleAdminConfig: the admin modules load with the URL map, not at start-up

urlpatterns = [
    path("", include("ucj.web.urls")),
    path("akun/", include("ucj.accounts.urls")),
    path("registri/", include("ucj.registry.urls")),
    path("cakupan/", include("ucj.coverage.urls")),
    path("iuran/", include("ucj.contributions.urls")),
    path("rencana/", include("ucj.planning.urls")),
    path("komitmen/", include("ucj.commitments.urls")),
    path("sasaran/", include("ucj.targeting.urls")),
    path("laporan/", include("ucj.reports.urls")),
    path("pemberitahuan/", include("ucj.notifications.urls")),
    path("favorit/", include("ucj.favourites.urls")),
    path("api/v1/", api.urls),
    # The language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler500 = "ucj.web.views.server_error"  # a busy database: 503 with Retry-After (ucj.dbbusy)
handler403 = "ucj.web.views.forbidden"  # branded, in the user's language, with a way back
handler404 = "ucj.web.views.not_found"
