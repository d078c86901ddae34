"""The review workflow of yearly releases: its one table of actions and its rules.

    proposed --verify--> verified --publish--> published --rollback--> rolled_back
        |                   |
        reject              reject      (a reason is required)

The same separation of duties as a suggested edit: Reviewers verify, Publishers
publish and roll back, and whoever verified a release may not publish it.
"""

from __future__ import annotations

from django.conf import settings

from contributions.core.actions import NOTE, Action, ActionTable, Input
from contributions.core.errors import NotPermitted

from .models import Release

R = Release.Status
VERIFY = "contributions.verify_release"
PUBLISH = "contributions.publish_release"
REASON = Input("reason", required=True, help="Why; kept in the audit trail.")

ACTIONS = ActionTable(
    "release",
    Action(
        "verify", (R.PROPOSED,), R.VERIFIED, (VERIFY,), "release_verify",
        inputs=(NOTE,), label="Verify", past="verified", style="primary",
    ),
    Action(
        "publish", (R.VERIFIED,), R.PUBLISHED, (PUBLISH,), "release_publish",
        inputs=(NOTE,), label="Publish", past="published", style="primary",
    ),
    Action(
        "reject", (R.PROPOSED,), R.REJECTED, (VERIFY,), "release_reject",
        inputs=(REASON,), label="Reject", past="rejected", style="danger",
    ),
    Action(
        "reject", (R.VERIFIED,), R.REJECTED, (VERIFY, PUBLISH), "release_reject",
        inputs=(REASON,), label="Reject", past="rejected", style="danger",
    ),
    Action(
        "rollback", (R.PUBLISHED,), R.ROLLED_BACK, (PUBLISH,), "release_rollback",
        inputs=(NOTE,), label="Roll back", past="rolled back", style="danger",
    ),
    id_argument="release_id",
)  # fmt: skip


def ensure_transition(release: Release, *, action: str, actor) -> Action:
    """Return the action `actor` may take on `release` now, or raise why not."""
    row = ACTIONS.ensure(
        release, name=action, actor=actor, status_label=release.get_status_display().lower()
    )
    if (
        action == "publish"
        and settings.CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS
        and release.verified_by_id == actor.pk
    ):
        raise NotPermitted("The person who verified a release may not also publish it.")
    return row


def actions_available(release: Release, actor) -> list[Action]:
    """The actions `actor` may take on `release` now (for buttons)."""
    return ACTIONS.available(release, actor, ensure_transition)
