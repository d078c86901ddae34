"""Who is told what, and what they read: recorded in the outbox, delivered in-process."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import transaction

from contributions.models import Notification, NotificationPreference
from contributions.notifications import delivery
from contributions.suggestions import notifications
from contributions.suggestions.services import (
    submission_publish,
    submission_reject,
    submission_verify,
)
from tests.factories import UserFactory

from .conftest import sent_to

pytestmark = pytest.mark.django_db


def deliver_all() -> int:
    ids = Notification.objects.filter(state=Notification.State.PENDING).values_list("pk", flat=True)
    return sum(delivery.notification_deliver(notification_id=pk) for pk in list(ids))


def test_a_submission_tells_each_reviewer_and_gives_the_submitter_a_receipt(
    client, d0370, reviewer, reviewer2, publisher, mailoutbox, settings
):
    settings.SITE_URL = "https://cdt.example.org"
    inactive = UserFactory(username="gone", is_active=False)
    inactive.groups.add(Group.objects.get(name="Reviewers"))
    no_address = UserFactory(username="noaddr", email="")
    no_address.groups.add(Group.objects.get(name="Reviewers"))
    response = client.post(
        "/api/submissions/",
        {
            "code": "D0370",
            "changes": {"billing_tips": "Better tip"},
            "rationale": "The payer guide says so.",
            "name": "Pat Submitter",
            "email": "Pat@Example.net",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    tracking_url = response.json()["tracking_url"]
    pk = response.json()["id"]

    assert deliver_all() == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "pat@example.net",
        "reviewer2@example.com",
        "reviewer@example.com",
    ]
    for message in sent_to("reviewer@example.com") + sent_to("reviewer2@example.com"):
        assert message.subject == f"[CDT Codes] New suggestion #{pk} for D0370 to review"
        admin_link = f"https://cdt.example.org/admin/contributions/submission/{pk}/change/"
        assert admin_link in message.body
        assert admin_link in message.alternatives[0][0]
        # The submitter's private data stays with the submitter.
        for private in ("pat@example.net", "Pat Submitter", tracking_url.rsplit("/", 2)[-2]):
            assert private not in message.body
            assert private not in message.alternatives[0][0]
    (receipt,) = sent_to("pat@example.net")
    assert receipt.subject == f"We received your suggestion for D0370 (#{pk})"
    token = tracking_url.rstrip("/").rsplit("/", 1)[-1]
    assert f"https://cdt.example.org/track/submissions/{token}/" in receipt.body
    assert "@example.com" not in receipt.body  # no staff address
    assert receipt.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_tracking_link_is_erased_from_the_outbox_once_sent(submit, reviewer):
    submission = submit()
    receipt = Notification.objects.get(event="submission.receipt")
    assert submission.token in receipt.context["tracking_url"]
    deliver_all()
    receipt.refresh_from_db()
    assert receipt.state == Notification.State.SENT
    assert "tracking_url" not in receipt.context
    assert submission.token not in str(receipt.context)


def test_a_staff_submitter_gets_the_receipt_but_not_the_review_request(submit, reviewer, reviewer2):
    submission = submit(email="reviewer@example.com")
    deliver_all()
    assert [m.subject for m in sent_to("reviewer@example.com")] == [
        f"We received your suggestion for D0370 (#{submission.pk})"
    ]
    assert len(sent_to("reviewer2@example.com")) == 1


def test_verified_tells_the_publishers_but_not_the_verifier(
    submit, reviewer, publisher, publisher2, mailoutbox
):
    reviewer.groups.add(Group.objects.get(name="Publishers"))
    submission = submit()
    deliver_all()
    mailoutbox.clear()
    submission_verify(submission_id=submission.pk, actor=reviewer)
    deliver_all()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "publisher2@example.com",
        "publisher@example.com",
    ]
    assert mailoutbox[0].subject == (
        f"[CDT Codes] Suggestion #{submission.pk} for D0370 is verified and ready to publish"
    )


def test_published_tells_the_submitter_with_the_code_page(
    submit, reviewer, publisher, mailoutbox, settings
):
    settings.SITE_URL = "https://cdt.example.org"
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer)
    deliver_all()
    mailoutbox.clear()
    submission_publish(submission_id=submission.pk, actor=publisher)
    deliver_all()
    (message,) = mailoutbox
    assert message.to == ["pat@example.net"]
    assert message.subject == "Your suggestion for D0370 is published"
    assert "https://cdt.example.org/codes/D0370/" in message.body
    assert "@example.com" not in message.body  # no staff address


def test_rejected_tells_the_submitter_why(submit, reviewer, mailoutbox):
    submission = submit()
    deliver_all()
    mailoutbox.clear()
    submission_reject(submission_id=submission.pk, actor=reviewer, reason="No source says <this>.")
    deliver_all()
    (message,) = mailoutbox
    assert message.to == ["pat@example.net"]
    assert message.subject == "Your suggestion for D0370 was not accepted"
    assert "No source says <this>." in message.body
    assert "No source says &lt;this&gt;." in message.alternatives[0][0]
    assert "/codes/D0370/" in message.body


def test_an_event_recorded_twice_is_stored_and_sent_once(submit, reviewer, mailoutbox):
    submission = submit()
    notifications.submission_received(submission, token=submission.token)
    assert Notification.objects.filter(event="submission.received").count() == 1
    row = Notification.objects.get(event="submission.received")
    assert delivery.notification_deliver(notification_id=row.pk) is True
    assert delivery.notification_deliver(notification_id=row.pk) is False
    assert len(sent_to("reviewer@example.com")) == 1


def test_a_rolled_back_change_records_and_enqueues_nothing(
    submit, reviewer, django_capture_on_commit_callbacks
):
    submission = submit()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            submission_verify(submission_id=submission.pk, actor=reviewer)
            raise RuntimeError("a later step of the same transaction failed")
    assert not Notification.objects.filter(event="submission.verified").exists()
    assert callbacks == []


def test_the_task_is_enqueued_only_once_the_change_commits(
    submit, reviewer, publisher, django_capture_on_commit_callbacks
):
    submission = submit()
    with django_capture_on_commit_callbacks() as callbacks:
        submission_verify(submission_id=submission.pk, actor=reviewer)
    # The test's transaction never commits: the enqueue is still waiting for it.
    assert len(callbacks) == 1
    row = Notification.objects.get(event="submission.verified")
    assert row.state == Notification.State.PENDING and row.enqueued_at is not None


def test_the_digest_lists_what_waits_for_each_role(
    submit, reviewer, publisher, publisher2, settings, mailoutbox
):
    settings.SITE_URL = "https://cdt.example.org"
    waiting = submit()
    verified = submit(changes={"body": "New body"})
    submission_verify(submission_id=verified.pk, actor=reviewer)
    NotificationPreference.objects.create(user=publisher2, digest_opt_out=True)
    Notification.objects.all().delete()

    day = datetime.date(2026, 11, 23)
    assert notifications.submission_digest_record(day=day) == 2
    deliver_all()
    (to_reviewer,) = sent_to("reviewer@example.com")
    assert to_reviewer.subject == "[CDT Codes] 1 suggestion waiting (23 Nov 2026)"
    assert f"#{waiting.pk} D0370" in to_reviewer.body
    assert f"#{verified.pk} D0370" not in to_reviewer.body
    (to_publisher,) = sent_to("publisher@example.com")
    assert f"#{verified.pk} D0370" in to_publisher.body
    assert f"#{waiting.pk} D0370" not in to_publisher.body
    assert "pat@example.net" not in to_reviewer.body + to_publisher.body
    assert sent_to("publisher2@example.com") == []

    # A second run the same day sends nothing again; the next day does.
    assert notifications.submission_digest_record(day=day) == 0
    deliver_all()
    assert len(mailoutbox) == 2
    assert notifications.submission_digest_record(day=day + datetime.timedelta(days=1)) == 2


def test_no_digest_when_nothing_waits(submit, reviewer, publisher):
    submission = submit()
    submission_reject(submission_id=submission.pk, actor=reviewer, reason="Duplicate.")
    Notification.objects.all().delete()
    assert notifications.submission_digest_record() == 0
    assert not Notification.objects.exists()
    assert mail.outbox == []
