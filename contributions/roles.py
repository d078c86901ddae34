"""The staff groups and exactly the permissions each needs."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from contributions.questions.workflow import ANSWER_Q, ASSIGN_Q, REPORT
from contributions.releases.workflow import PUBLISH as PUBLISH_RELEASE
from contributions.releases.workflow import VERIFY as VERIFY_RELEASE
from contributions.suggestions.workflow import PUBLISH, VERIFY

_CATALOG_VIEW = (
    "codes.view_category",
    "codes.view_code",
    "codes.view_coderevision",
)
_QUEUE_VIEW = (
    "contributions.view_submission",
    "contributions.view_submissionevent",
)

# Yearly releases are reviewed by the same people, under the same separation of duties.
_RELEASES_VIEW = (
    "contributions.view_release",
    "contributions.view_releasechange",
    "contributions.view_releaseevent",
)

_QUESTIONS = (
    "contributions.view_question",
    "contributions.view_questionevent",
)

ROLES: dict[str, tuple[str, ...]] = {
    "Reviewers": (*_CATALOG_VIEW, *_QUEUE_VIEW, VERIFY, *_RELEASES_VIEW, VERIFY_RELEASE),
    "Publishers": (*_CATALOG_VIEW, *_QUEUE_VIEW, PUBLISH, *_RELEASES_VIEW, PUBLISH_RELEASE),
    "Experts": (*_CATALOG_VIEW, *_QUESTIONS, ANSWER_Q),
    "Expert leads": (*_CATALOG_VIEW, *_QUESTIONS, ANSWER_Q, ASSIGN_Q, REPORT),
}


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_setup() -> dict[str, tuple[bool, int]]:
    """Create or reset every group to exactly its permissions (idempotent).

    Returns {group: (created, permission count)}.
    """
    report = {}
    for name, permissions in ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(p) for p in permissions])
        report[name] = (created, len(permissions))
    return report
