"""The billing-question workflow: its one table of actions and its rules.

new --claim/assign--> assigned --answer--> answered --close--> closed
 \\                      |  (claim/assign again: take over, reassign)
  `--spam--> spam <-----'
answered/closed --publish / unpublish--> shown on / taken off the code's page
"""

from __future__ import annotations

from contributions.core.actions import NOTE, Action, ActionTable, Input
from contributions.core.errors import NotPermitted, TransitionNotAllowed

from .models import Question

QS = Question.Status
ANSWER_Q = "contributions.answer_question"
ASSIGN_Q = "contributions.assign_question"
REPORT = "contributions.view_response_report"
ANSWER_MAX = 10000


def _publishable(question: Question) -> str | None:
    if question.is_published:
        return "The question is already shown on its code's page."
    if not question.publish_consent:
        return "The asker did not agree to publishing this question."
    if question.code_id is None:
        return "The question is not about a code; there is no page for it."
    return None


def _published(question: Question) -> str | None:
    return None if question.is_published else "The question is not shown on a code's page."


ACTIONS = ActionTable(
    "billing question",
    Action(
        "claim", (QS.NEW, QS.ASSIGNED), QS.ASSIGNED, (ANSWER_Q,), "question_claim",
        label="Assign to me", past="assigned", style="primary",
    ),
    Action(
        "assign", (QS.NEW, QS.ASSIGNED), QS.ASSIGNED, (ASSIGN_Q,), "question_assign",
        inputs=(Input("assignee", required=True, kind="user"),),
        label="Assign", past="assigned",
    ),
    Action(
        "answer", (QS.ASSIGNED,), QS.ANSWERED, (ANSWER_Q,), "question_answer",
        inputs=(Input("answer", required=True, max_length=ANSWER_MAX),),
        label="Send the answer", past="answered", style="primary",
    ),
    Action(
        "close", (QS.ANSWERED,), QS.CLOSED, (ANSWER_Q,), "question_close",
        inputs=(NOTE,), label="Close", past="closed",
    ),
    Action(
        "spam", (QS.NEW, QS.ASSIGNED), QS.SPAM, (ANSWER_Q,), "question_mark_spam",
        label="Mark as spam", past="marked as spam", style="danger",
    ),
    Action(
        "publish", (QS.ANSWERED, QS.CLOSED), "", (ANSWER_Q,), "question_publish",
        label="Show on the code's page", past="published", condition=_publishable,
        refusal="Only an answered question can be published.",
    ),
    Action(
        "unpublish", (QS.ANSWERED, QS.CLOSED), "", (ANSWER_Q,), "question_unpublish",
        label="Take off the code's page", past="unpublished", condition=_published,
    ),
    id_argument="question_id",
    refusal="A question that is {status} cannot be {past}.",
)  # fmt: skip


def ensure_question_transition(question: Question, *, action: str, actor, assignee=None) -> Action:
    """Return the action `actor` may take on `question` now, or raise why not.

    Claiming (assigning to oneself) needs answer_question; assigning to someone
    else, or taking over another expert's question, needs assign_question
    (Expert leads). Only the assigned expert answers (or a lead).
    """
    if action in ("claim", "assign"):
        return _ensure_assign(question, actor=actor, assignee=assignee)
    row = ACTIONS.ensure(
        question, name=action, actor=actor, status_label=question.get_status_display().lower()
    )
    if action == "answer" and question.assigned_to_id != actor.pk and not actor.has_perm(ASSIGN_Q):
        raise NotPermitted("Only the expert the question is assigned to may answer it.")
    return row


def _ensure_assign(question: Question, *, actor, assignee) -> Action:
    if not (actor.has_perm(ANSWER_Q) or actor.has_perm(ASSIGN_Q)):
        raise NotPermitted("You may not assign billing questions.")
    to_self = assignee is None or assignee.pk == actor.pk
    row = ACTIONS.find(question.status, "claim" if to_self else "assign")
    if row is None:
        raise TransitionNotAllowed(
            f"A question that is {question.get_status_display().lower()} cannot be assigned."
        )
    is_lead = actor.has_perm(ASSIGN_Q)
    taking_over = question.assigned_to_id not in (None, actor.pk)
    if (not to_self or taking_over) and not is_lead:
        raise NotPermitted(
            "Only expert leads assign questions to others or take over an assigned one."
        )
    if to_self and not actor.has_perm(ANSWER_Q):
        raise NotPermitted("You are not an expert: assign the question to one.")
    if assignee is not None and not assignee.has_perm(ANSWER_Q):
        raise NotPermitted(f"{assignee.get_username()} is not an expert.")
    if question.assigned_to_id is not None and question.assigned_to_id == (assignee or actor).pk:
        raise TransitionNotAllowed("The question is already assigned to them.")
    return row


def question_actions_available(question: Question, actor) -> list[Action]:
    """The actions `actor` may take on `question` now (for buttons)."""
    found = ACTIONS.available(question, actor, ensure_question_transition)
    # "assign" is offered while the question waits; whom to is chosen on the page.
    if actor.has_perm(ASSIGN_Q) and question.is_waiting and "assign" not in {a.name for a in found}:
        found.append(ACTIONS.first("assign"))
    return found
