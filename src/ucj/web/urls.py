from django.urls import path

from ucj.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
