"""Generated data at scale (`manage.py generate_scale_data`), for benchmarks and query plans.

Suggestions, billing questions, their audit rows and their outbox notifications, spread
over the existing codes, every state and the last two years, consistent with the models'
check constraints and with what the services would have written. Rows go in with
PostgreSQL's COPY (psycopg 3) where the database is PostgreSQL, and as batched INSERTs
elsewhere: over a million rows a minute on a small machine.

Nothing here is a path for real data: it writes rows directly, skipping the services.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from contributions.models import (
    Notification,
    Question,
    QuestionEvent,
    Submission,
    SubmissionEvent,
)

from .base import SPAN, ScaleDataError
from .questions import QuestionRows
from .suggestions import SuggestionRows
from .writing import TableWriter, reserve_ids

__all__ = ["Counts", "ScaleDataError", "scale_data_generate"]


@dataclass
class Counts:
    submissions: int = 0
    submission_events: int = 0
    questions: int = 0
    question_events: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class _Generator(SuggestionRows, QuestionRows):
    """Both kinds of rows from one random stream (one --seed repeats the whole set)."""


SUBMISSION_FIELDS = (
    "id code_id code_number is_new_code base_revision changes rationale sources submitter_name "
    "submitter_email submitted_by_id token_digest status stale_fields is_stale verified_by_id "
    "verified_at published_by_id published_at rejected_by_id rejected_at "
    "rejection_reason withdrawn_at created_at updated_at"
).split()
SUBMISSION_EVENT_FIELDS = (
    "submission_id actor_id actor_label from_status to_status note is_public created_at"
).split()
QUESTION_FIELDS = (
    "id name email subject body code_id source publish_consent token_digest status received_at "
    "target_at due_at assigned_to_id assigned_at first_response_at first_response_hours "
    "answered_at answered_by_id "
    "answer closed_at target_warned_at due_warned_at is_published published_at"
).split()
QUESTION_EVENT_FIELDS = (
    "question_id actor_id actor_label from_status to_status note created_at".split()
)
NOTIFICATION_FIELDS = (
    "event event_key recipient recipient_user_id subject_type_id subject_id context state "
    "attempts "
    "last_error created_at enqueued_at last_attempt_at sent_at failed_at"
).split()


def scale_data_generate(
    *,
    submissions: int,
    questions: int,
    seed: int | None = None,
    batch_size: int = 5000,
    use_copy: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Add `submissions` suggestions and `questions` billing questions, with their audit
    rows and outbox notifications, in one transaction (all or nothing).

    The staff they name are the members of Reviewers, Publishers, Experts and Expert
    leads, or made-up users without a password when a group has none. `use_copy`
    defaults to COPY on PostgreSQL. `progress` is called with each batch's row count.
    """
    if submissions < 0 or questions < 0:
        raise ScaleDataError("Counts cannot be negative.")
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    now = timezone.now()
    counts = Counts()
    writers = {
        "submissions": TableWriter(Submission, SUBMISSION_FIELDS, use_copy=use_copy),
        "submission_events": TableWriter(
            SubmissionEvent, SUBMISSION_EVENT_FIELDS, use_copy=use_copy
        ),
        "questions": TableWriter(Question, QUESTION_FIELDS, use_copy=use_copy),
        "question_events": TableWriter(QuestionEvent, QUESTION_EVENT_FIELDS, use_copy=use_copy),
        "notifications": TableWriter(Notification, NOTIFICATION_FIELDS, use_copy=use_copy),
    }
    with transaction.atomic():
        generator = _Generator(seed=seed, now=now)
        for model, total, make, main, events in (
            (Submission, submissions, generator.submissions, "submissions", "submission_events"),
            (Question, questions, generator.questions, "questions", "question_events"),
        ):
            batches = max(1, math.ceil(total / batch_size))
            for n in range(batches):
                size = min(batch_size, total - n * batch_size)
                if size <= 0:
                    break
                # Each batch covers its own slice of the two years, so ids follow time.
                start = now - SPAN + SPAN * n / batches
                moments = generator.times(start, start + SPAN / batches, size)
                batch = make(reserve_ids(model, size), moments)
                setattr(counts, main, getattr(counts, main) + writers[main].write(batch.main))
                setattr(
                    counts, events, getattr(counts, events) + writers[events].write(batch.events)
                )
                counts.notifications += writers["notifications"].write(batch.notifications)
                if progress:
                    progress(size)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner now, not whenever autovacuum gets to it: the
        # first queries after a million-row load should not plan for empty tables.
        with connection.cursor() as cursor:
            for writer in writers.values():
                cursor.execute(f"ANALYZE {writer.table}")  # noqa: S608 - a quoted table name
    return counts
