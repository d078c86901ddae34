"""The public site filled the way visitors find it, for the browser checks and screenshots."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management import call_command

from codes.services import code_update
from contributions.questions.services import (
    question_answer,
    question_assign,
    question_create,
    question_publish,
)
from contributions.suggestions.services import submission_create


@dataclass
class PublicSite:
    submission_token: str
    question_token: str


def public_site_make(*, expert) -> PublicSite:
    """The sample codes, one published change, a suggestion and an answered question."""
    call_command("load_sample_data", verbosity=0)
    code_update(
        code="D0330",
        changes={"billing_tips": "Once every 3 to 5 years, by most payers' rules."},
        note="Frequency limits.",
    )
    _submission, submission_token = submission_create(
        code="D0370",
        changes={"billing_tips": "Bill once per visit, whatever the number of areas scanned."},
        rationale="The payer's manual counts a visit, not an area.",
        sources=["https://example.org/payer-manual"],
        name="Pat Visitor",
        email="pat@example.net",
    )
    question, question_token = question_create(
        name="Ann Asker",
        email="ann@example.net",
        subject="Can D0370 and D0386 go on one claim?",
        body="We scanned the floor of the mouth and took a panoramic image in the same visit.",
        code="D0370",
        publish_consent=True,
    )
    question_assign(question_id=question.pk, actor=expert)
    question_answer(
        question_id=question.pk,
        actor=expert,
        answer="Yes: report each once. The payer may ask for the findings of both.",
    )
    question_publish(question_id=question.pk, actor=expert)
    return PublicSite(submission_token=submission_token, question_token=question_token)
