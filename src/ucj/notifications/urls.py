from django.urls import path

from ucj.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bel/", views.bell, name="bell"),
]
