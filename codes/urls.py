from django.urls import path

from . import changes, views

app_name = "codes"

urlpatterns = [
    path("", views.home, name="home"),
    path("codes/", views.code_list, name="list"),
    # Before the code page: "validate" is not a code number.
    path("codes/validate/", views.claim_check, name="claim-check"),
    path("codes/<str:code>/", views.code_detail, name="detail"),
    path("codes/<str:code>/compare/", views.code_compare, name="compare"),
    path("changes/", changes.changes, name="changes"),
    path("changes/feed/", changes.ChangesFeed(), name="changes-feed"),
]
