from django.urls import path

from . import apis

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
    path("questions/", apis.QuestionCreateApi.as_view(), name="api-question-create"),
    path(
        "questions/track/<str:token>/",
        apis.QuestionTrackApi.as_view(),
        name="api-question-track",
    ),
    path("review/submissions/", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    *[
        path(
            f"review/submissions/<int:pk>/{action}/",
            apis.ReviewTransitionApi.as_view(action=action),
            name=f"api-review-{action}",
        )
        for action in ("verify", "publish", "reject")
    ],
]
