import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import override_settings

from codes.models import Code, CodeRevision
from contributions.core.errors import EditConflict, NotPermitted, TransitionNotAllowed
from contributions.models import Submission, SubmissionEvent
from contributions.suggestions.services import (
    submission_by_token,
    submission_publish,
    submission_reject,
    submission_verify,
    submission_withdraw,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Submission.Status


def _to_state(submission, state, reviewer, publisher):
    if state in (S.VERIFIED, S.PUBLISHED):
        submission_verify(submission_id=submission.pk, actor=reviewer)
    if state == S.PUBLISHED:
        submission_publish(submission_id=submission.pk, actor=publisher)
    if state == S.REJECTED:
        submission_reject(submission_id=submission.pk, actor=reviewer, reason="Wrong")
    if state == S.WITHDRAWN:
        submission_withdraw(token=submission.token)
    submission.refresh_from_db()
    assert submission.status == state


def _act(action, submission, actor):
    if action == "verify":
        return submission_verify(submission_id=submission.pk, actor=actor)
    if action == "publish":
        return submission_publish(submission_id=submission.pk, actor=actor)
    if action == "reject":
        return submission_reject(submission_id=submission.pk, actor=actor, reason="No source")
    raise AssertionError(action)


# (state, action, role) -> expected: a target state, or the error raised.
ALLOWED = {
    (S.SUBMITTED, "verify", "reviewer2"): S.VERIFIED,
    (S.SUBMITTED, "reject", "reviewer2"): S.REJECTED,
    (S.VERIFIED, "publish", "publisher2"): S.PUBLISHED,
    (S.VERIFIED, "reject", "reviewer2"): S.REJECTED,
    (S.VERIFIED, "reject", "publisher2"): S.REJECTED,
}
ROLES = ("reviewer2", "publisher2", "outsider")
STATES = (S.SUBMITTED, S.VERIFIED, S.PUBLISHED, S.REJECTED, S.WITHDRAWN)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ("verify", "publish", "reject"))
@pytest.mark.parametrize("role", ROLES)
def test_transition_matrix(
    request, submit, reviewer, publisher, reviewer2, publisher2, outsider, state, action, role
):
    submission = submit()
    _to_state(submission, state, reviewer, publisher)
    actor = request.getfixturevalue(role)
    events_before = SubmissionEvent.objects.filter(submission=submission).count()
    expected = ALLOWED.get((state, action, role))
    if expected is not None:
        _act(action, submission, actor)
        submission.refresh_from_db()
        assert submission.status == expected
        event = submission.events.last()
        assert (event.actor, event.from_status, event.to_status) == (actor, state, expected)
        return
    # Someone holding none of the action's permissions is refused outright (403);
    # a permitted role at the wrong state gets "not allowed from this state" (409).
    holds = {
        "verify": {"reviewer2"},
        "publish": {"publisher2"},
        "reject": {"reviewer2", "publisher2"},
    }[action]
    with pytest.raises(
        TransitionNotAllowed if role in holds and _no_edge(state, action) else NotPermitted
    ):
        _act(action, submission, actor)
    submission.refresh_from_db()
    assert submission.status == state
    assert SubmissionEvent.objects.filter(submission=submission).count() == events_before


def _no_edge(state, action):
    from contributions.suggestions.workflow import transition_find

    return transition_find(state, action) is None


@pytest.mark.parametrize("state", (S.SUBMITTED, S.VERIFIED))
def test_submitter_can_withdraw_open_submission(submit, reviewer, publisher, state):
    submission = submit()
    _to_state(submission, state, reviewer, publisher)
    submission_withdraw(token=submission.token, note="Found my mistake")
    submission.refresh_from_db()
    assert submission.status == S.WITHDRAWN
    event = submission.events.last()
    assert (event.actor, event.actor_label, event.is_public) == (None, "submitter", True)


@pytest.mark.parametrize("state", (S.PUBLISHED, S.REJECTED, S.WITHDRAWN))
def test_withdraw_is_refused_once_decided(submit, reviewer, publisher, state):
    submission = submit()
    _to_state(submission, state, reviewer, publisher)
    with pytest.raises(TransitionNotAllowed):
        submission_withdraw(token=submission.token)


def test_wrong_token_finds_nothing(submit):
    submit()
    with pytest.raises(Submission.DoesNotExist):
        submission_withdraw(token="not-a-token")
    with pytest.raises(Submission.DoesNotExist):
        submission_by_token("")


def test_token_is_not_stored_in_clear(submit):
    submission = submit()
    stored = Submission.objects.filter(pk=submission.pk).values().get()
    assert submission.token not in {str(v) for v in stored.values()}
    assert submission_by_token(submission.token) == submission


def test_verifier_cannot_publish_own_verification(submit, roles):
    both = UserFactory(username="both", is_staff=True)
    both.groups.add(*Group.objects.filter(name__in=["Reviewers", "Publishers"]))
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=both)
    with pytest.raises(NotPermitted, match="verified"):
        submission_publish(submission_id=submission.pk, actor=both)


@override_settings(CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS=False)
def test_one_person_may_verify_and_publish_when_two_reviewers_are_not_required(submit, roles):
    both = UserFactory(username="both", is_staff=True)
    both.groups.add(*Group.objects.filter(name__in=["Reviewers", "Publishers"]))
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=both)
    submission_publish(submission_id=submission.pk, actor=both)
    assert Submission.objects.get(pk=submission.pk).status == S.PUBLISHED


def test_nobody_reviews_a_submission_sent_from_their_email(submit, reviewer):
    submission = submit(email=reviewer.email.upper())
    with pytest.raises(NotPermitted, match="themselves"):
        submission_verify(submission_id=submission.pk, actor=reviewer)


def test_nobody_reviews_a_submission_sent_while_logged_in(submit, reviewer):
    submission = submit(user=reviewer, email="other@example.net")
    with pytest.raises(NotPermitted):
        submission_reject(submission_id=submission.pk, actor=reviewer, reason="x")


def test_reject_needs_a_reason(submit, reviewer):
    submission = submit()
    with pytest.raises(ValidationError) as excinfo:
        submission_reject(submission_id=submission.pk, actor=reviewer, reason="  ")
    assert "reason" in excinfo.value.message_dict
    assert Submission.objects.get(pk=submission.pk).status == S.SUBMITTED


def test_publish_applies_the_change_as_a_new_revision(submit, reviewer, publisher):
    submission = submit(changes={"billing_tips": "Better tip", "related_codes": []})
    submission_verify(submission_id=submission.pk, actor=reviewer)
    submission_publish(submission_id=submission.pk, actor=publisher)
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (2, "Better tip")
    revision = code.revisions.get(revision=2)
    assert (revision.source, revision.published_by) == (submission, publisher)
    submission.refresh_from_db()
    assert (submission.published_revision, submission.published_by) == (2, publisher)


def test_publish_refuses_a_conflict_naming_the_fields(submit, reviewer, publisher, d0370):
    first = submit(changes={"billing_tips": "First", "body": "New body"})
    second = submit(changes={"billing_tips": "Second"})
    for s in (first, second):
        submission_verify(submission_id=s.pk, actor=reviewer)
    submission_publish(submission_id=first.pk, actor=publisher)
    with pytest.raises(EditConflict) as excinfo:
        submission_publish(submission_id=second.pk, actor=publisher)
    assert excinfo.value.fields == ["billing_tips"]
    assert "billing_tips" in excinfo.value.message
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (2, "First")
    assert Submission.objects.get(pk=second.pk).status == S.VERIFIED


def test_publish_of_untouched_fields_succeeds_after_another_publish(submit, reviewer, publisher):
    first = submit(changes={"billing_tips": "First"})
    second = submit(changes={"body": "Other body"})
    for s in (first, second):
        submission_verify(submission_id=s.pk, actor=reviewer)
    submission_publish(submission_id=first.pk, actor=publisher)
    submission_publish(submission_id=second.pk, actor=publisher)
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips, code.body) == (3, "First", "Other body")


def test_publish_marks_open_submissions_on_the_same_fields_stale(submit, reviewer, publisher):
    published = submit(changes={"billing_tips": "First"})
    overlapping = submit(changes={"billing_tips": "Other", "body": "B"})
    unrelated = submit(changes={"documentation": "Chart it"})
    submission_verify(submission_id=published.pk, actor=reviewer)
    submission_publish(submission_id=published.pk, actor=publisher)
    overlapping.refresh_from_db()
    unrelated.refresh_from_db()
    assert (overlapping.is_stale, overlapping.stale_fields) == (True, ["billing_tips"])
    assert unrelated.is_stale is False


def test_failure_in_the_middle_of_publish_changes_nothing(submit, reviewer, publisher, monkeypatch):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after the code and its revision are written, before the audit event.
    monkeypatch.setattr("contributions.suggestions.services._mark_stale", broken)
    with pytest.raises(RuntimeError):
        submission_publish(submission_id=submission.pk, actor=publisher)
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (1, "Old tip")
    assert CodeRevision.objects.filter(code=code).count() == 1
    submission.refresh_from_db()
    assert submission.status == S.VERIFIED
    assert not submission.events.filter(to_status=S.PUBLISHED).exists()


def test_a_new_code_is_created_on_publish(submit, reviewer, publisher):
    submission = submit(
        code="D0399",
        changes={"nomenclature": "A proposed code", "category": "diagnostic-imaging"},
    )
    assert submission.is_new_code and submission.code is None
    submission_verify(submission_id=submission.pk, actor=reviewer)
    submission_publish(submission_id=submission.pk, actor=publisher)
    code = Code.objects.get(code="D0399")
    assert (code.revision, code.nomenclature, code.category.slug) == (
        1,
        "A proposed code",
        "diagnostic-imaging",
    )
    assert code.revisions.get().source == submission


def test_every_transition_is_in_the_audit_log(submit, reviewer, publisher):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer, note="Checked")
    submission_publish(submission_id=submission.pk, actor=publisher)
    trail = list(submission.events.values_list("from_status", "to_status", "actor__username"))
    assert trail == [
        ("", "submitted", None),
        ("submitted", "verified", "reviewer"),
        ("verified", "published", "publisher"),
    ]
