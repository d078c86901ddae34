"""Celery's autodiscovery imports this module: it imports every domain's tasks."""

from contributions.notifications import tasks as notification_tasks  # noqa: F401
from contributions.questions import tasks as question_tasks  # noqa: F401
from contributions.suggestions import tasks as suggestion_tasks  # noqa: F401
