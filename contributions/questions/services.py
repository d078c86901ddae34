"""Billing questions: every change to a question goes through these functions.

Each one locks the question row, checks the action in questions.workflow, writes
the change and its audit row in one transaction, and lets mail leave only after
the commit (questions.notifications records it in the outbox).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cdtsite.cache import catalog_changed
from codes.models import Code
from codes.services import normalize_code
from contributions.core.tokens import token_digest, token_new

from . import notifications
from .business_days import add_business_days, business_hours_between
from .models import Question, QuestionEvent
from .workflow import ANSWER_MAX, ensure_question_transition

SYSTEM = "system"
SUBJECT_MAX = 200
QUESTION_BODY_MAX = 5000


def _clean_question(*, name, email, subject, body, code) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value, limit in (
        ("name", name, 120),
        ("subject", subject, SUBJECT_MAX),
        ("body", body, QUESTION_BODY_MAX),
    ):
        text = str(value or "").strip()
        if not text:
            errors[field] = ["This field is required."]
        elif len(text) > limit:
            errors[field] = [f"At most {limit} characters (it has {len(text)})."]
        values[field] = text
    email = str(email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    values["email"] = email.lower()
    values["code"] = None
    if code not in (None, ""):
        number = normalize_code(code)
        values["code"] = Code.objects.filter(code=number).first()
        if values["code"] is None:
            errors["code"] = [f"There is no code {number}."]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def question_create(
    *,
    name: Any,
    email: Any,
    subject: Any,
    body: Any,
    code: Any = None,
    publish_consent: bool = False,
    source: str = Question.Source.CONTACT,
) -> tuple[Question, str]:
    """Anyone -> new. Sets the promise: target 1 and due 2 business days after receipt.

    Returns the question and its tracking token (only a digest is stored).
    Raises ValidationError keyed by field.
    """
    values = _clean_question(name=name, email=email, subject=subject, body=body, code=code)
    received = timezone.now()
    token, digest = token_new()
    question = Question.objects.create(
        **values,
        source=source,
        publish_consent=bool(publish_consent),
        token_digest=digest,
        received_at=received,
        target_at=add_business_days(received, 1),
        due_at=add_business_days(received, 2),
    )
    _question_event(question, actor=None, label=values["name"], source="", note="")
    notifications.question_received(question, token=token)
    return question, token


def question_by_token(token: str) -> Question:
    return Question.objects.select_related("code").get(token_digest=token_digest(token or ""))


def _question_event(question, *, actor, label: str, source: str, note: str) -> None:
    QuestionEvent.objects.create(
        question=question,
        actor=actor,
        actor_label=label,
        from_status=source,
        to_status=question.status,
        note=note,
    )


def _question_locked(question_id: int) -> Question:
    try:
        return Question.objects.select_for_update().get(pk=question_id)
    except Question.DoesNotExist:
        raise Question.DoesNotExist(f"No question #{question_id}.") from None


@transaction.atomic
def question_assign(*, question_id: int, actor, assignee=None) -> Question:
    """new/assigned -> assigned. An expert claims it (assignee None or themselves);
    an expert lead assigns it to any expert or takes one over."""
    question = _question_locked(question_id)
    assignee = assignee or actor
    transition = ensure_question_transition(
        question, action="assign", actor=actor, assignee=assignee
    )
    from_status, question.status = question.status, transition.target
    question.assigned_to, question.assigned_at = assignee, timezone.now()
    question.save(update_fields=["status", "assigned_to", "assigned_at"])
    note = "" if assignee == actor else f"Assigned to {assignee.get_username()}."
    _question_event(
        question, actor=actor, label=actor.get_username(), source=from_status, note=note
    )
    return question


@transaction.atomic
def question_answer(*, question_id: int, actor, answer: str) -> Question:
    """assigned -> answered, by the assigned expert (or a lead). The answer goes to the asker."""
    answer = (answer or "").strip()
    question = _question_locked(question_id)
    transition = ensure_question_transition(question, action="answer", actor=actor)
    if not answer:
        raise ValidationError({"answer": ["Write the answer."]})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": [f"At most {ANSWER_MAX} characters."]})
    now = timezone.now()
    from_status, question.status = question.status, transition.target
    question.answer, question.answered_by, question.answered_at = answer, actor, now
    if question.first_response_at is None:
        question.first_response_at = now
        question.first_response_hours = business_hours_between(question.received_at, now)
    question.save(
        update_fields=[
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "first_response_at",
            "first_response_hours",
        ]
    )
    _question_event(question, actor=actor, label=actor.get_username(), source=from_status, note="")
    notifications.question_answered(question)
    return question


@transaction.atomic
def question_close(*, question_id: int, actor, note: str = "") -> Question:
    """answered -> closed, by an expert."""
    question = _question_locked(question_id)
    transition = ensure_question_transition(question, action="close", actor=actor)
    from_status = question.status
    question.status, question.closed_at = transition.target, timezone.now()
    question.save(update_fields=["status", "closed_at"])
    _question_event(
        question, actor=actor, label=actor.get_username(), source=from_status, note=note
    )
    return question


@transaction.atomic
def question_mark_spam(*, question_id: int, actor) -> Question:
    """new/assigned -> spam, by an expert. Spam is out of the response statistics."""
    question = _question_locked(question_id)
    transition = ensure_question_transition(question, action="spam", actor=actor)
    from_status, question.status = question.status, transition.target
    question.save(update_fields=["status"])
    _question_event(question, actor=actor, label=actor.get_username(), source=from_status, note="")
    return question


def question_claim(*, question_id: int, actor) -> Question:
    """new/assigned -> assigned to the actor (an expert; taking one over: a lead)."""
    return question_assign(question_id=question_id, actor=actor)


@transaction.atomic
def question_publish(*, question_id: int, actor, publish: bool = True) -> Question:
    """Show an answered question on its code's page (publish=False: stop showing it).

    Experts only; needs the asker's consent and a code (questions.workflow says so);
    the asker's name and email are never shown. Audited; the state does not change.
    """
    question = _question_locked(question_id)
    ensure_question_transition(question, action="publish" if publish else "unpublish", actor=actor)
    question.is_published = publish
    question.published_at = timezone.now() if publish else None
    question.save(update_fields=["is_published", "published_at"])
    # The code page shows it (or stops): cached copies of the page end with this commit.
    transaction.on_commit(catalog_changed)
    note = "Shown on the code's page." if publish else "Taken off the code's page."
    _question_event(
        question, actor=actor, label=actor.get_username(), source=question.status, note=note
    )
    return question


def question_unpublish(*, question_id: int, actor) -> Question:
    """Stop showing a published question on its code's page."""
    return question_publish(question_id=question_id, actor=actor, publish=False)


# How many warnings of each kind one run of questions_warn records at most.
WARN_BATCH = 200


@transaction.atomic
def questions_warn(now=None) -> int:
    """Beat: warn once when a waiting question passes its target (its expert, or every
    expert while nobody has it) and once when it passes its due time (Expert leads).

    Each warning sets its flag and writes an audit row in the same transaction as the
    mail it records. Rows another run holds are skipped. Returns how many were recorded.
    """
    now = now or timezone.now()
    warned = 0
    waiting = Question.objects.waiting().select_for_update(skip_locked=True)
    # Bounded per run (question_target_warn_idx / question_due_warn_idx serve each): a
    # backlog is warned over the next runs instead of in one long transaction.
    past_target = waiting.filter(target_at__lt=now, target_warned_at__isnull=True)
    for question in past_target.order_by("target_at", "pk")[:WARN_BATCH]:
        notifications.question_past_target(question)
        question.target_warned_at = now
        question.save(update_fields=["target_warned_at"])
        _question_event(
            question,
            actor=None,
            label=SYSTEM,
            source=question.status,
            note="Passed its target time.",
        )
        warned += 1
    past_due = waiting.filter(due_at__lt=now, due_warned_at__isnull=True)
    for question in past_due.order_by("due_at", "pk")[:WARN_BATCH]:
        notifications.question_past_due(question)
        question.due_warned_at = now
        question.save(update_fields=["due_warned_at"])
        note = "Passed its due time."
        _question_event(question, actor=None, label=SYSTEM, source=question.status, note=note)
        warned += 1
    return warned
