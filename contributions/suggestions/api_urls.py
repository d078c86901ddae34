from django.urls import path

from contributions.core.api import transition_api

from . import apis, services
from .workflow import ACTIONS

urlpatterns = [
    path("submissions/", apis.SubmissionCreateApi.as_view(), name="api-submission-create"),
    path(
        "submissions/track/<str:token>/",
        apis.SubmissionTrackApi.as_view(),
        name="api-submission-track",
    ),
    path(
        "submissions/track/<str:token>/withdraw/",
        apis.SubmissionWithdrawApi.as_view(),
        name="api-submission-withdraw",
    ),
    path("review/submissions/", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    # One endpoint per staff action of the workflow's table (verify, publish, reject).
    *[
        path(
            f"review/submissions/<int:pk>/{name}/",
            transition_api(ACTIONS, services, name, output=apis.ReviewSubmissionSerializer),
            name=f"api-review-{name}",
        )
        for name in ACTIONS.names(staff=True)
    ],
]
