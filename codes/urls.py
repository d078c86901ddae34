from django.urls import path

from . import views

app_name = "codes"

urlpatterns = [
    path("", views.home, name="home"),
    path("codes/", views.code_list, name="list"),
    path("codes/<str:code>/", views.code_detail, name="detail"),
]
