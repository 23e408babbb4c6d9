from django.urls import path

from ucj.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("banding/", views.compare, name="compare"),
    path("<int:pk>/", views.plan, name="plan"),
]
