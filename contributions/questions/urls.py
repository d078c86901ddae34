from django.urls import path

from . import views

urlpatterns = [
    path("codes/<str:code>/questions/", views.ask_on_code, name="ask-on-code"),
    path("contact/", views.contact, name="contact"),
    path("track/questions/<str:token>/", views.track_question, name="track-question"),
]
