"""Pages of reports."""

from django.urls import path

from ucj.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/unduh/", views.download, name="download"),
]
