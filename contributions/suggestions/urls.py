from django.urls import path

from . import views

urlpatterns = [
    path("codes/<str:code>/suggest/", views.suggest, name="suggest"),
    path("track/submissions/<str:token>/", views.track_submission, name="track-submission"),
]
