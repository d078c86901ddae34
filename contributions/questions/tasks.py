"""Celery tasks of billing questions: thin, they call questions.services."""

from __future__ import annotations

from celery import shared_task

from contributions.notifications.tasks import RELIABLE

from . import services


@shared_task(name="contributions.warn_questions", soft_time_limit=100, time_limit=120, **RELIABLE)
def warn_questions() -> int:
    """Every few minutes (beat): warn about questions past their target or due time."""
    return services.questions_warn()
