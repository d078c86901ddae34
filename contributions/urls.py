from django.urls import path

from . import views

app_name = "contributions"

urlpatterns = [
    path("codes/<str:code>/suggest/", views.suggest, name="suggest"),
    path("track/submissions/<str:token>/", views.track_submission, name="track-submission"),
    path("codes/<str:code>/questions/", views.ask_on_code, name="ask-on-code"),
    path("contact/", views.contact, name="contact"),
    path("track/questions/<str:token>/", views.track_question, name="track-question"),
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", views.ChangesFeed(), name="changes-feed"),
]
