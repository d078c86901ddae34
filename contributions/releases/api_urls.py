from django.urls import path

from contributions.core.api import transition_api

from . import apis, services
from .workflow import ACTIONS


def _release_pk(*, edition: int) -> int:
    return services.release_for_edition(edition).pk


urlpatterns = [
    path("releases/", apis.ReleaseListApi.as_view(), name="api-release-list"),
    path("releases/<int:edition>/", apis.ReleaseDetailApi.as_view(), name="api-release-detail"),
    # One endpoint per action of the workflow's table: verify, publish, reject, rollback.
    *[
        path(
            f"releases/<int:edition>/{name}/",
            transition_api(
                ACTIONS,
                services,
                name,
                output=apis.ReleaseSerializer,
                resolve_pk=_release_pk,
            ),
            name=f"api-release-{name}",
        )
        for name in ACTIONS.names(staff=True)
    ],
]
