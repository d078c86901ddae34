"""The review workflow of suggested edits: its one table of actions and its rules.

    submitted --verify--> verified --publish--> published
        |  \\                 |   \\
        |   withdraw         |    withdraw   (submitter, via the tracking link)
        reject               reject          (reviewer/publisher; a reason is required)
"""

from __future__ import annotations

from django.conf import settings

from contributions.core.actions import NOTE, REASON, Action, ActionTable
from contributions.core.errors import NotPermitted

from .models import Submission

S = Submission.Status
VERIFY = "contributions.verify_submission"
PUBLISH = "contributions.publish_submission"
REVIEW_PERMISSIONS = (VERIFY, PUBLISH)

ACTIONS = ActionTable(
    "suggestion",
    Action(
        "verify", (S.SUBMITTED,), S.VERIFIED, (VERIFY,), "submission_verify",
        inputs=(NOTE,), label="Verify", past="verified", style="primary",
    ),
    Action(
        "publish", (S.VERIFIED,), S.PUBLISHED, (PUBLISH,), "submission_publish",
        inputs=(NOTE,), label="Publish", past="published", style="primary",
    ),
    Action(
        "reject", (S.SUBMITTED,), S.REJECTED, (VERIFY,), "submission_reject",
        inputs=(REASON,), label="Reject", past="rejected", style="danger",
    ),
    Action(
        "reject", (S.VERIFIED,), S.REJECTED, (VERIFY, PUBLISH), "submission_reject",
        inputs=(REASON,), label="Reject", past="rejected", style="danger",
    ),
    Action(
        "withdraw", (S.SUBMITTED, S.VERIFIED), S.WITHDRAWN, (), "submission_withdraw",
        inputs=(NOTE,), label="Withdraw", past="withdrawn", style="danger",
    ),
    id_argument="submission_id",
)  # fmt: skip


def is_own_submission(submission: Submission, user) -> bool:
    if submission.submitted_by_id and submission.submitted_by_id == user.pk:
        return True
    email = (user.email or "").strip().lower()
    return bool(email) and email == submission.submitter_email.strip().lower()


def ensure_transition(submission: Submission, *, action: str, actor) -> Action:
    """Return the action `actor` may take now, or raise why not.

    `actor` is a user, or None for the submitter acting through the tracking link.
    """
    row = ACTIONS.ensure(
        submission,
        name=action,
        actor=actor,
        status_label=submission.get_status_display().lower(),
    )
    if actor is None:
        return row
    if is_own_submission(submission, actor):
        raise NotPermitted("Nobody reviews a suggestion they sent themselves.")
    if (
        action == "publish"
        and settings.CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS
        and submission.verified_by_id == actor.pk
    ):
        raise NotPermitted("The person who verified a suggestion may not also publish it.")
    return row


def actions_available(submission: Submission, actor) -> list[Action]:
    """The staff actions `actor` may take on `submission` now (for buttons)."""
    return ACTIONS.available(submission, actor, ensure_transition)


def transition_find(status: str, action: str) -> Action | None:
    return ACTIONS.find(status, action)
