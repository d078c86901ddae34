"""Who may do what to a release: the two-person rule, states, audit trail, mails."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from contributions.core.errors import NotPermitted, TransitionNotAllowed
from contributions.models import Release
from contributions.releases.services import (
    release_import,
    release_publish,
    release_reject,
    release_rollback,
    release_verify,
)
from contributions.releases.workflow import actions_available
from tests.conftest import staff_member

from .conftest import deliver_all, edition_2027

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(catalog):
    return release_import(path_or_file=edition_2027(), edition=2027).release


def test_the_verifier_may_not_publish_the_release_they_verified(proposed, roles):
    both = staff_member("Reviewers", "both")
    both.groups.add(*staff_member("Publishers", "pub-too").groups.all())
    release_verify(release_id=proposed.pk, actor=both)
    with pytest.raises(NotPermitted, match="verified a release may not also publish"):
        release_publish(release_id=proposed.pk, actor=both)
    assert [a.name for a in actions_available(Release.objects.get(), both)] == ["reject"]


def test_with_one_reviewer_allowed_the_verifier_may_publish(proposed, roles, settings):
    settings.CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS = False
    both = staff_member("Reviewers", "both")
    both.groups.add(*staff_member("Publishers", "pub-too").groups.all())
    release_verify(release_id=proposed.pk, actor=both)
    assert release_publish(release_id=proposed.pk, actor=both).status == "published"


def test_reviewers_verify_and_publishers_publish_not_the_other_way(proposed, reviewer, publisher):
    with pytest.raises(NotPermitted):
        release_verify(release_id=proposed.pk, actor=publisher)
    with pytest.raises(TransitionNotAllowed):
        release_publish(release_id=proposed.pk, actor=publisher)
    release_verify(release_id=proposed.pk, actor=reviewer)
    with pytest.raises(NotPermitted):
        release_publish(release_id=proposed.pk, actor=reviewer)
    with pytest.raises(NotPermitted):
        release_rollback(release_id=proposed.pk, actor=reviewer)


def test_reject_needs_a_reason_and_frees_the_edition(proposed, reviewer, catalog):
    with pytest.raises(ValidationError) as info:
        release_reject(release_id=proposed.pk, actor=reviewer, reason="  ")
    assert "reason" in info.value.message_dict
    release_reject(release_id=proposed.pk, actor=reviewer, reason="Wrong year's file")
    assert Release.objects.get().rejection_reason == "Wrong year's file"
    again = release_import(path_or_file=edition_2027(), edition=2027).release
    assert again.status == "proposed"


def test_every_transition_is_in_the_audit_trail(proposed, reviewer, publisher):
    release_verify(release_id=proposed.pk, actor=reviewer, note="Checked against the book")
    release_publish(release_id=proposed.pk, actor=publisher)
    release_rollback(release_id=proposed.pk, actor=publisher, note="Publisher error")
    trail = list(proposed.events.values_list("actor_label", "from_status", "to_status", "note"))
    assert trail[0][:3] == ("system", "", "proposed")
    assert trail[1:] == [
        ("reviewer", "proposed", "verified", "Checked against the book"),
        ("publisher", "verified", "published", ""),
        ("publisher", "published", "rolled_back", "Publisher error"),
    ]
    with pytest.raises(TransitionNotAllowed, match="rolled back release cannot be"):
        release_publish(release_id=proposed.pk, actor=publisher)


def test_publishers_are_told_when_a_release_is_verified_but_not_the_verifier(
    proposed, reviewer, publisher, publisher2, mailoutbox
):
    with transaction.atomic():
        release_verify(release_id=proposed.pk, actor=reviewer)
    deliver_all()
    verified = [m for m in mailoutbox if "verified" in m.subject]
    assert sorted(m.to[0] for m in verified) == ["publisher2@example.com", "publisher@example.com"]
    assert verified[0].subject == "[CDT Codes] Release CDT 2027 is verified and ready to publish"
