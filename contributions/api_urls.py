from django.urls import include, path

urlpatterns = [
    path("", include("contributions.suggestions.api_urls")),
    path("", include("contributions.questions.api_urls")),
    path("", include("contributions.releases.api_urls")),
]
