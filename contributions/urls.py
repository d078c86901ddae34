"""The public pages of every workflow, under one `contributions:` namespace."""

from contributions.questions.urls import urlpatterns as question_urls
from contributions.releases.urls import urlpatterns as release_urls
from contributions.suggestions.urls import urlpatterns as suggestion_urls

app_name = "contributions"

urlpatterns = [*suggestion_urls, *question_urls, *release_urls]
