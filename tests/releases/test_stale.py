"""Open suggestions a release overtakes are flagged, and their submitters told."""

import pytest
from django.db import transaction

from contributions.models import Submission
from contributions.releases.services import (
    release_import,
    release_publish,
    release_rollback,
    release_verify,
)
from contributions.suggestions.services import submission_create

from .conftest import deliver_all, edition_2027

pytestmark = pytest.mark.django_db


def _suggest(code: str, changes: dict, email: str) -> Submission:
    submission, _ = submission_create(
        code=code, changes=changes, rationale="Because.", name="Pat", email=email
    )
    return submission


@pytest.fixture
def suggestions(catalog):
    return {
        "title": _suggest("D0140", {"nomenclature": "limited evaluation"}, "title@example.net"),
        "tips": _suggest("D0140", {"billing_tips": "Bill once a visit."}, "tips@example.net"),
        "deleted": _suggest("D9110", {"billing_tips": "Per visit."}, "deleted@example.net"),
        "unchanged": _suggest("D0150", {"nomenclature": "Comprehensive"}, "same@example.net"),
    }


def test_publishing_flags_the_suggestions_it_overtakes_and_tells_their_senders(
    suggestions, reviewer, publisher, mailoutbox
):
    release = release_import(path_or_file=edition_2027(), edition=2027).release
    release_verify(release_id=release.pk, actor=reviewer)
    deliver_all()
    mailoutbox.clear()
    with transaction.atomic():
        release_publish(release_id=release.pk, actor=publisher)

    flags = {
        name: (s.is_stale, s.stale_fields)
        for name, s in ((n, Submission.objects.get(pk=s.pk)) for n, s in suggestions.items())
    }
    assert flags == {
        "title": (True, ["nomenclature"]),  # the release changed the title it proposes
        "tips": (False, []),  # the release left the billing tips alone
        "deleted": (True, ["billing_tips"]),  # its code is deleted in CDT 2027
        "unchanged": (False, []),
    }
    deliver_all()
    told = sorted(m.to[0] for m in mailoutbox)
    assert told == ["deleted@example.net", "title@example.net"]
    message = next(m for m in mailoutbox if m.to == ["title@example.net"])
    assert message.subject == (
        "Your suggestion for D0140 needs another look: the CDT 2027 release changed the code"
    )
    assert "nomenclature" in message.body


def test_a_rollback_flags_again_but_tells_each_sender_once_per_release(
    suggestions, reviewer, publisher, mailoutbox
):
    release = release_import(path_or_file=edition_2027(), edition=2027).release
    release_verify(release_id=release.pk, actor=reviewer)
    release_publish(release_id=release.pk, actor=publisher)
    release_rollback(release_id=release.pk, actor=publisher)
    deliver_all()
    stale_mails = [m for m in mailoutbox if "needs another look" in m.subject]
    assert sorted(m.to[0] for m in stale_mails) == ["deleted@example.net", "title@example.net"]


def test_closed_suggestions_are_left_alone(suggestions, reviewer, publisher):
    from contributions.suggestions.services import submission_reject

    submission_reject(submission_id=suggestions["title"].pk, actor=reviewer, reason="No source")
    release = release_import(path_or_file=edition_2027(), edition=2027).release
    release_verify(release_id=release.pk, actor=reviewer)
    release_publish(release_id=release.pk, actor=publisher)
    assert not Submission.objects.get(pk=suggestions["title"].pk).is_stale
