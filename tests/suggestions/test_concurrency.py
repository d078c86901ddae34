"""Races between staff acting at the same moment, on PostgreSQL's row locks."""

import threading

import pytest
from django.db import connection, connections

from codes.models import Code
from contributions.core.errors import EditConflict, TransitionNotAllowed
from contributions.models import Submission, SubmissionEvent
from contributions.suggestions.services import submission_publish, submission_verify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's (CI runs it)"
    ),
]


def _race(*calls):
    """Run the calls in threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_conflicting_publishes_at_once_publish_exactly_one(
    submit, reviewer, publisher, publisher2, attempt
):
    first = submit(changes={"billing_tips": "From the first"})
    second = submit(changes={"billing_tips": "From the second"})
    for s in (first, second):
        submission_verify(submission_id=s.pk, actor=reviewer)

    outcomes = _race(
        lambda: submission_publish(submission_id=first.pk, actor=publisher),
        lambda: submission_publish(submission_id=second.pk, actor=publisher2),
    )

    published = [o for o in outcomes if isinstance(o, Submission)]
    conflicts = [o for o in outcomes if isinstance(o, EditConflict)]
    assert (len(published), len(conflicts)) == (1, 1), outcomes
    assert conflicts[0].fields == ["billing_tips"]
    code = Code.objects.get(code="D0370")
    assert code.revision == 2
    assert list(code.revisions.order_by("revision").values_list("revision", flat=True)) == [1, 2]
    assert code.billing_tips == published[0].changes["billing_tips"]
    statuses = sorted(Submission.objects.values_list("status", flat=True))
    assert statuses == ["published", "verified"]


@pytest.mark.parametrize("attempt", range(3))
def test_two_reviewers_verifying_at_once_write_one_event(submit, reviewer, reviewer2, attempt):
    submission = submit()

    outcomes = _race(
        lambda: submission_verify(submission_id=submission.pk, actor=reviewer),
        lambda: submission_verify(submission_id=submission.pk, actor=reviewer2),
    )

    assert sum(isinstance(o, Submission) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1, outcomes
    assert SubmissionEvent.objects.filter(submission=submission, to_status="verified").count() == 1
