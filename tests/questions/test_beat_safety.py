"""Two beat processes by mistake: each warning and each digest still goes out once."""

import pytest
from django.db import connection
from django.utils import timezone

from contributions.models import Notification, QuestionEvent
from contributions.questions.services import questions_warn
from contributions.suggestions.notifications import submission_digest_record
from tests.suggestions.test_concurrency import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's (CI runs it)"
    ),
]


@pytest.mark.parametrize("attempt", range(3))
def test_two_warning_runs_at_once_warn_each_question_once(ask, expert, lead, attempt):
    questions = [ask(subject=f"Question {n}") for n in range(6)]
    later = max(q.due_at for q in questions) + timezone.timedelta(minutes=1)

    outcomes = _race(lambda: questions_warn(later), lambda: questions_warn(later))

    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 2 * len(questions)  # past target and past due, once each
    warnings = Notification.objects.filter(event__in=["question.past_target", "question.past_due"])
    assert warnings.count() == len(questions) * 2  # expert for target, lead for due
    per_key = warnings.values_list("event_key", "recipient")
    assert len(set(per_key)) == len(per_key)
    audit = QuestionEvent.objects.filter(actor_label="system")
    assert audit.count() == 2 * len(questions)


def test_two_digest_runs_at_once_record_one_digest_each(submit, reviewer, publisher):
    submit()
    outcomes = _race(submission_digest_record, submission_digest_record)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    digests = Notification.objects.filter(event="digest.submissions")
    # One per reviewer (a submitted suggestion waits for them), none twice.
    assert list(digests.values_list("recipient", flat=True)) == [reviewer.email]
