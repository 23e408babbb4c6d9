from django.urls import path

from ucj.favourites import views

app_name = "favourites"
urlpatterns = [
    path("", views.favourite_list, name="list"),
    path("<int:pk>/hapus/", views.favourite_remove, name="remove"),
]
