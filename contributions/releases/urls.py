from django.urls import path

from . import views

urlpatterns = [
    path("changes/<int:edition>/", views.release_changes, name="release-changes"),
]
