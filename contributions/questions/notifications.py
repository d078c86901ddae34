"""Who is told what about billing questions. Services call these inside their
transaction; the outbox sends after the commit.

Experts are never sent the asker's name or email; the asker gets no staff address.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cdtsite.throttling import recipient_allowance
from contributions.notifications.outbox import EventKind, Recipient, absolute, outbox_record, staff

EXPERTS = "Experts"
EXPERT_LEADS = "Expert leads"

QUESTION_ACK = EventKind("question.ack", "question_ack", "We received your question: {subject}")
QUESTION_RECEIVED = EventKind(
    "question.received",
    "question_received",
    "[CDT Codes] New billing question #{question_id}: {subject}",
)
QUESTION_ANSWERED = EventKind(
    "question.answered", "question_answered", "The answer to your question: {subject}"
)
QUESTION_PAST_TARGET = EventKind(
    "question.past_target",
    "question_past_target",
    "[CDT Codes] Question #{question_id} passed its target time",
)
QUESTION_PAST_DUE = EventKind(
    "question.past_due",
    "question_past_due",
    "[CDT Codes] Overdue: question #{question_id} passed its due time",
)


# Registered with the outbox by ContributionsConfig.ready().
EVENTS = (
    QUESTION_ACK,
    QUESTION_RECEIVED,
    QUESTION_ANSWERED,
    QUESTION_PAST_TARGET,
    QUESTION_PAST_DUE,
)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%A %-d %B %Y, %H:%M %Z")


def _question_summary(question) -> dict:
    return {
        "question_id": question.pk,
        "subject": question.subject,
        "code": question.code.code if question.code_id else "",
        "target": _local(question.target_at),
        "due": _local(question.due_at),
    }


def _question_admin_url(question) -> str:
    return absolute(reverse("admin:contributions_question_change", args=[question.pk]))


def question_received(question, *, token: str) -> None:
    """The asker gets an acknowledgement with the expected date; the experts are told."""
    summary = _question_summary(question)
    tracking = absolute(reverse("contributions:track-question", args=[token]))
    outbox_record(
        event=QUESTION_ACK.name,
        key=f"{QUESTION_ACK.name}:{question.pk}",
        recipients=[Recipient(question.email)] if recipient_allowance(question.email) else [],
        context={**summary, "name": question.name, "tracking_url": tracking},
        subject=question,
    )
    asker = question.email.lower()
    outbox_record(
        event=QUESTION_RECEIVED.name,
        key=f"{QUESTION_RECEIVED.name}:{question.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(EXPERTS, exclude={asker})],
        context={**summary, "admin_url": _question_admin_url(question)},
        subject=question,
    )


def question_answered(question) -> None:
    """The asker gets the answer (and the link to see it on the site)."""
    outbox_record(
        event=QUESTION_ANSWERED.name,
        key=f"{QUESTION_ANSWERED.name}:{question.pk}",
        recipients=[Recipient(question.email)],
        context={**_question_summary(question), "name": question.name, "answer": question.answer},
        subject=question,
    )


def question_past_target(question) -> None:
    """Its expert is warned (every expert while nobody has it)."""
    experts = [question.assigned_to] if question.assigned_to_id else staff(EXPERTS)
    outbox_record(
        event=QUESTION_PAST_TARGET.name,
        key=f"{QUESTION_PAST_TARGET.name}:{question.pk}",
        recipients=[Recipient(u.email, u.pk) for u in experts if u.email],
        context={**_question_summary(question), "admin_url": _question_admin_url(question)},
        subject=question,
    )


def question_past_due(question) -> None:
    """Expert leads are told a question is overdue."""
    outbox_record(
        event=QUESTION_PAST_DUE.name,
        key=f"{QUESTION_PAST_DUE.name}:{question.pk}",
        recipients=[Recipient(u.email, u.pk) for u in staff(EXPERT_LEADS)],
        context={
            **_question_summary(question),
            "assignee": question.assigned_to.get_username() if question.assigned_to_id else "",
            "admin_url": _question_admin_url(question),
        },
        subject=question,
    )
