"""Query budgets: a page's number of SQL queries, fixed whatever the size of the data.

Each budget test requests a page at a small size, grows the data tenfold, and requests
it again: both must run exactly the budget's number of queries.
"""

from __future__ import annotations

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contributions.models import Notification, Question, Submission

_serial = itertools.count(1)


def estimate_queries() -> int:
    """The admin paginator's planner estimate (EXPLAIN) runs on PostgreSQL only."""
    return 1 if connection.vendor == "postgresql" else 0


def assert_budget(get, path: str, *, grow, budget: int) -> None:
    """`get(path)` runs `budget` queries before and after `grow()` adds rows."""
    counts = []
    for step in range(2):
        if step:
            grow()
        with CaptureQueriesContext(connection) as ctx:
            response = get(path)
        assert response.status_code == 200, response.content[:300]
        counts.append(len(ctx.captured_queries))
    queries = "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    assert counts == [budget, budget], f"{path}: {counts} queries, budget {budget}\n{queries}"


def _copy(template, **values):
    fields = {
        f.attname: getattr(template, f.attname)
        for f in type(template)._meta.concrete_fields
        if not f.primary_key
    }
    fields.update(values)
    return type(template)(**fields)


def clone_submissions(template: Submission, n: int) -> None:
    """n copies of the template in each state the queue shows or hides."""
    rows = []
    for state in ("submitted", "published", "rejected"):
        extra = {}
        if state == "published":
            extra = {"published_by_id": template.verified_by_id, "published_at": timezone.now()}
        if state == "rejected":
            extra = {"rejection_reason": "Duplicate."}
        for _ in range(n):
            i = next(_serial)
            rows.append(
                _copy(
                    template,
                    token_digest=f"budget-{i}",
                    submitter_name=f"Sam Cloned {i}",
                    status=state,
                    **extra,
                )
            )
    Submission.objects.bulk_create(rows)


def clone_questions(template: Question, n: int) -> None:
    rows = [
        _copy(template, token_digest=f"budget-q-{i}", subject=f"Cloned question {i}")
        for i in (next(_serial) for _ in range(n))
    ]
    Question.objects.bulk_create(rows)


def add_notifications(n: int, *, event: str = "submission.received") -> None:
    Notification.objects.bulk_create(
        Notification(
            event=event,
            event_key=f"{event}:budget-{next(_serial)}",
            recipient="someone@example.org",
            context={"big": "x" * 1000},
            last_error="SMTP 550 " * 30,
        )
        for _ in range(n)
    )
