from django.urls import path

from ucj.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/pilih/", views.region_options, name="region_options"),
]
