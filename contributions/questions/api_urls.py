from django.urls import path

from contributions.core.api import transition_api

from . import apis, services
from .workflow import ACTIONS

urlpatterns = [
    path("questions/", apis.QuestionCreateApi.as_view(), name="api-question-create"),
    path(
        "questions/track/<str:token>/",
        apis.QuestionTrackApi.as_view(),
        name="api-question-track",
    ),
    path("reports/questions/", apis.QuestionReportApi.as_view(), name="api-question-report"),
    # One endpoint per expert action of the workflow's table (claim, assign, answer, …).
    *[
        path(
            f"review/questions/<int:pk>/{name}/",
            transition_api(
                ACTIONS,
                services,
                name,
                output=apis.QuestionStaffSerializer,
                resolve_inputs=apis.resolve_assignee,
            ),
            name=f"api-question-{name}",
        )
        for name in ACTIONS.names(staff=True)
    ],
]
