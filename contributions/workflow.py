"""The review workflow's rules, in one table used by services, admin and API.

    submitted --verify--> verified --publish--> published
        |  \\                 |   \\
        |   withdraw         |    withdraw   (submitter, via the tracking link)
        reject               reject          (reviewer/publisher; a reason is required)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from .models import Submission

S = Submission.Status
VERIFY = "contributions.verify_submission"
PUBLISH = "contributions.publish_submission"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    # Any one of these permissions allows it; empty means the submitter's tracking link.
    permissions: tuple[str, ...]
    label: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("verify", S.SUBMITTED, S.VERIFIED, (VERIFY,), "Verify"),
    Transition("publish", S.VERIFIED, S.PUBLISHED, (PUBLISH,), "Publish"),
    Transition("reject", S.SUBMITTED, S.REJECTED, (VERIFY,), "Reject"),
    Transition("reject", S.VERIFIED, S.REJECTED, (VERIFY, PUBLISH), "Reject"),
    Transition("withdraw", S.SUBMITTED, S.WITHDRAWN, (), "Withdraw"),
    Transition("withdraw", S.VERIFIED, S.WITHDRAWN, (), "Withdraw"),
)
ACTIONS = ("verify", "publish", "reject", "withdraw")
STAFF_ACTIONS = ("verify", "publish", "reject")


class WorkflowError(Exception):
    """A domain error with a message fit to show the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(WorkflowError):
    """Not possible from the submission's current state (HTTP 409)."""


class NotPermitted(WorkflowError, PermissionDenied):
    """The actor may not make this transition (HTTP 403)."""


class EditConflict(WorkflowError):
    """The code moved on since the submission's base revision (HTTP 409)."""

    def __init__(self, message: str, fields: list[str]):
        super().__init__(message)
        self.fields = fields


def transition_find(status: str, action: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.source == status and transition.action == action:
            return transition
    return None


def is_own_submission(submission: Submission, user) -> bool:
    if submission.submitted_by_id and submission.submitted_by_id == user.pk:
        return True
    email = (user.email or "").strip().lower()
    return bool(email) and email == submission.submitter_email.strip().lower()


def ensure_transition(submission: Submission, *, action: str, actor) -> Transition:
    """Return the transition `actor` may make now, or raise why not.

    `actor` is a user, or None for the submitter acting through the tracking link.
    """
    if action not in ACTIONS:
        raise TransitionNotAllowed(f"Unknown action “{action}”.")
    if actor is not None:
        perms = {p for t in TRANSITIONS if t.action == action for p in t.permissions}
        if not perms or not any(actor.has_perm(p) for p in perms):
            raise NotPermitted(f"You may not {action} suggested edits.")
    transition = transition_find(submission.status, action)
    if transition is None:
        raise TransitionNotAllowed(
            f"A {submission.get_status_display().lower()} suggestion cannot be {_past(action)}."
        )
    if actor is None:
        if transition.permissions:
            raise NotPermitted(f"Only reviewers and publishers may {action} a suggestion.")
        return transition
    if not transition.permissions or not any(actor.has_perm(p) for p in transition.permissions):
        raise NotPermitted(
            f"You may not {action} a {submission.get_status_display().lower()} suggestion."
        )
    if is_own_submission(submission, actor):
        raise NotPermitted("Nobody reviews a suggestion they sent themselves.")
    if (
        action == "publish"
        and settings.CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS
        and submission.verified_by_id == actor.pk
    ):
        raise NotPermitted("The person who verified a suggestion may not also publish it.")
    return transition


def actions_available(submission: Submission, actor) -> list[Transition]:
    """The staff transitions `actor` may make on `submission` now (for buttons)."""
    available = []
    for action in STAFF_ACTIONS:
        try:
            available.append(ensure_transition(submission, action=action, actor=actor))
        except WorkflowError:
            continue
    return available


def _past(action: str) -> str:
    return {"verify": "verified", "publish": "published", "reject": "rejected"}.get(
        action, "withdrawn"
    )


# --- Billing questions ---------------------------------------------------------
#
#     new --assign--> assigned --answer--> answered --close--> closed
#      \                 |  (assign again: reassign)
#       `--spam--> spam <'

ANSWER_Q = "contributions.answer_question"
_QUESTION_PAST = {
    "assign": "assigned",
    "answer": "answered",
    "close": "closed",
    "spam": "marked as spam",
}
ASSIGN_Q = "contributions.assign_question"


@dataclass(frozen=True)
class QuestionTransition:
    action: str
    source: str
    target: str
    permissions: tuple[str, ...]


def _question_transitions():
    from .models import Question

    QS = Question.Status
    return (
        QuestionTransition("assign", QS.NEW, QS.ASSIGNED, (ANSWER_Q, ASSIGN_Q)),
        QuestionTransition("assign", QS.ASSIGNED, QS.ASSIGNED, (ANSWER_Q, ASSIGN_Q)),
        QuestionTransition("answer", QS.ASSIGNED, QS.ANSWERED, (ANSWER_Q,)),
        QuestionTransition("close", QS.ANSWERED, QS.CLOSED, (ANSWER_Q,)),
        QuestionTransition("spam", QS.NEW, QS.SPAM, (ANSWER_Q,)),
        QuestionTransition("spam", QS.ASSIGNED, QS.SPAM, (ANSWER_Q,)),
    )


def ensure_question_transition(question, *, action: str, actor, assignee=None):
    """Return the transition `actor` may make on `question` now, or raise why not.

    Claiming (assigning to oneself) needs answer_question; assigning to someone
    else, or taking over another expert's question, needs assign_question
    (Expert leads). Only the assigned expert answers (or a lead).
    """
    transitions = [t for t in _question_transitions() if t.action == action]
    if not transitions:
        raise TransitionNotAllowed(f"Unknown action “{action}”.")
    perms = {p for t in transitions for p in t.permissions}
    if not any(actor.has_perm(p) for p in perms):
        raise NotPermitted(f"You may not {action} billing questions.")
    transition = next((t for t in transitions if t.source == question.status), None)
    if transition is None:
        raise TransitionNotAllowed(
            f"A question that is {question.get_status_display().lower()} cannot be "
            f"{_QUESTION_PAST[action]}."
        )
    is_lead = actor.has_perm(ASSIGN_Q)
    if action == "assign":
        to_self = assignee is None or assignee.pk == actor.pk
        taking_over = question.assigned_to_id not in (None, actor.pk)
        if (not to_self or taking_over) and not is_lead:
            raise NotPermitted(
                "Only expert leads assign questions to others or take over an assigned one."
            )
        if to_self and not actor.has_perm(ANSWER_Q):
            raise NotPermitted("You are not an expert: assign the question to one.")
        if assignee is not None and not assignee.has_perm(ANSWER_Q):
            raise NotPermitted(f"{assignee.get_username()} is not an expert.")
        if (
            question.assigned_to_id is not None
            and question.assigned_to_id == (assignee or actor).pk
        ):
            raise TransitionNotAllowed("The question is already assigned to them.")
    elif action == "answer" and question.assigned_to_id != actor.pk and not is_lead:
        raise NotPermitted("Only the expert the question is assigned to may answer it.")
    if not actor.has_perm(ANSWER_Q) and action != "assign":
        raise NotPermitted(f"You may not {action} billing questions.")
    return transition
