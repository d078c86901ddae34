"""Celery tasks of suggested edits: thin, they call suggestions.notifications."""

from __future__ import annotations

from celery import shared_task

from contributions.notifications.tasks import RELIABLE

from . import notifications


@shared_task(
    name="contributions.send_submission_digest", soft_time_limit=240, time_limit=300, **RELIABLE
)
def send_submission_digest() -> int:
    """Daily (beat): tell reviewers and publishers what waits for them."""
    return notifications.submission_digest_record()
