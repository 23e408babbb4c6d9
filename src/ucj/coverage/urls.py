from django.urls import path

from ucj.coverage import feed_views, views

app_name = "coverage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("umpan/", feed_views.feed_upload, name="feed_upload"),
    path("umpan/<int:pk>/", feed_views.feed_detail, name="feed"),
]
