from django.urls import path

from . import changes, views

app_name = "codes"

urlpatterns = [
    path("", views.home, name="home"),
    path("codes/", views.code_list, name="list"),
    path("codes/<str:code>/", views.code_detail, name="detail"),
    path("changes/", changes.changes, name="changes"),
    path("changes/feed/", changes.ChangesFeed(), name="changes-feed"),
]
