"""Two publishers racing to publish two suggestions of the same new code: one wins, the
other gets a conflict (409), never an IntegrityError (500). Real PostgreSQL, two threads."""

import threading

import pytest
from django.db import connection, connections

from codes.models import Code
from codes.services import code_create as real_code_create
from contributions.core.errors import EditConflict
from contributions.suggestions import services
from contributions.suggestions.services import submission_create, submission_verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loser_of_a_new_code_race_gets_a_conflict(categories, monkeypatch, roles):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite serializes writers)")
    from tests.conftest import staff_member

    reviewer = staff_member("Reviewers", "reviewer")
    publishers = [staff_member("Publishers", f"publisher{i}") for i in range(2)]
    ids = []
    for i in range(2):
        submission, _token = submission_create(
            code="D0999",
            changes={"nomenclature": f"New procedure {i}", "category": "diagnostic-imaging"},
            rationale="New in the code set.",
            sources=["https://example.org/"],
            name="Pat",
            email=f"pat{i}@example.net",
        )
        submission_verify(submission_id=submission.pk, actor=reviewer)
        ids.append(submission.pk)

    # Both publishers reach the insert together when nothing keeps them apart: each
    # waits (briefly) for the other inside code_create.
    both_inside = threading.Barrier(2)

    def code_create(**kwargs):
        try:
            both_inside.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the lock kept the other one out: go on alone
        return real_code_create(**kwargs)

    monkeypatch.setattr(services, "code_create", code_create)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def publish(i: int) -> None:
        start.wait()
        try:
            services.submission_publish(submission_id=ids[i], actor=publishers[i])
            outcomes[i] = "published"
        except EditConflict as exc:
            outcomes[i] = f"conflict:{','.join(exc.fields)}"
        except Exception as exc:  # what the bug was: an IntegrityError
            outcomes[i] = type(exc).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict:code", "published"]
    assert Code.objects.filter(code="D0999").count() == 1
