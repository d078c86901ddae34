import pytest
from django.contrib.messages import get_messages

from codes.models import Code
from contributions.models import Submission
from contributions.suggestions.services import submission_publish, submission_verify

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/submission/"


def _review(pk):
    return f"{QUEUE}{pk}/change/"


def _transition(pk, action):
    return f"{QUEUE}{pk}/transition/{action}/"


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_without_review_permission_cannot_open_the_queue(client, outsider, submit):
    submit()
    assert _login(client, outsider).get(QUEUE).status_code == 403


def test_reviewer_sees_the_queue_oldest_first(client, reviewer, submit):
    first = submit()
    second = submit(changes={"body": "New body"})
    response = _login(client, reviewer).get(QUEUE)
    assert response.status_code == 200
    ids = [s.pk for s in response.context["cl"].result_list]
    assert ids == [first.pk, second.pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=verified", 1),
        ("category=diagnostic", 2),
        ("stale=yes", 0),
        ("stale=no", 2),
        ("age=1", 2),
        ("age=old", 0),
    ],
)
def test_queue_filters(client, reviewer, submit, query, expected):
    a = submit()
    submit(changes={"body": "New body"})
    from tests.factories import UserFactory

    submission_verify(submission_id=a.pk, actor=UserFactory(username="rv", is_superuser=True))
    response = _login(client, reviewer).get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_review_page_shows_a_word_diff_sources_trail_and_only_allowed_buttons(
    client, reviewer, submit
):
    submission = submit(changes={"billing_tips": "Old tip and more"})
    response = _login(client, reviewer).get(_review(submission.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "<ins> and more</ins>" in html or "<ins>and more</ins>" in html or "<ins>and</ins>" in html
    )
    assert 'href="https://example.org/guide"' in html
    assert 'id="transition-verify"' in html
    assert 'id="transition-reject"' in html
    assert 'id="transition-publish"' not in html


def test_publisher_sees_publish_and_reject_on_a_verified_one(client, reviewer, publisher, submit):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer)
    html = _login(client, publisher).get(_review(submission.pk)).content.decode()
    assert 'id="transition-publish"' in html
    assert 'id="transition-reject"' in html
    assert 'id="transition-verify"' not in html


def test_verify_then_publish_through_the_admin(client, reviewer, publisher, submit):
    submission = submit()
    response = _login(client, reviewer).post(_transition(submission.pk, "verify"), {"note": "ok"})
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == "verified"
    client.logout()
    _login(client, publisher).post(_transition(submission.pk, "publish"))
    assert Submission.objects.get(pk=submission.pk).status == "published"
    assert Code.objects.get(code="D0370").revision == 2


def test_refused_transition_is_a_message_not_an_error(client, reviewer, submit):
    submission = submit()
    response = _login(client, reviewer).post(_transition(submission.pk, "publish"))
    assert response.status_code == 302
    assert any("may not publish" in m for m in _messages(response))
    assert Submission.objects.get(pk=submission.pk).status == "submitted"


def test_reject_uses_a_standard_or_written_reason(client, reviewer, submit):
    a, b, c = submit(), submit(changes={"body": "B"}), submit(changes={"documentation": "D"})
    _login(client, reviewer)
    client.post(
        _transition(a.pk, "reject"), {"standard_reason": "Duplicate of another suggestion."}
    )
    client.post(_transition(b.pk, "reject"), {"reason": "The manual says otherwise."})
    response = client.post(_transition(c.pk, "reject"), {})
    assert Submission.objects.get(pk=a.pk).rejection_reason == "Duplicate of another suggestion."
    assert Submission.objects.get(pk=b.pk).rejection_reason == "The manual says otherwise."
    assert Submission.objects.get(pk=c.pk).status == "submitted"
    assert any("reason" in m for m in _messages(response))


def test_bulk_verify_checks_each_row_and_reports_refusals(client, reviewer, submit):
    mine = submit(email=reviewer.email)
    others = [submit(changes={"body": f"B{i}"}) for i in range(2)]
    response = _login(client, reviewer).post(
        QUEUE,
        {"action": "verify_selected", "_selected_action": [mine.pk, *[o.pk for o in others]]},
    )
    assert response.status_code == 302
    statuses = dict(Submission.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == "submitted"
    assert all(statuses[o.pk] == "verified" for o in others)
    text = " ".join(_messages(response))
    assert "2 suggestion(s) verified" in text
    assert f"#{mine.pk}" in text


def test_bulk_reject_asks_for_a_reason_then_applies(client, reviewer, submit):
    subs = [submit(changes={"body": f"B{i}"}) for i in range(2)]
    ids = [s.pk for s in subs]
    _login(client, reviewer)
    page = client.post(QUEUE, {"action": "reject_selected", "_selected_action": ids})
    assert page.status_code == 200
    assert "Reject these 2 suggestion(s)?" in page.content.decode()
    client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": ids,
            "apply": "1",
            "standard_reason": "No source supports the change.",
        },
    )
    assert set(Submission.objects.values_list("status", flat=True)) == {"rejected"}


def test_a_second_reviewer_is_warned_of_a_claim_and_the_queue_shows_it(
    client, reviewer, reviewer2, submit
):
    submission = submit()
    _login(client, reviewer).get(_review(submission.pk))
    client.logout()
    response = _login(client, reviewer2).get(_review(submission.pk))
    assert response.status_code == 200
    assert any("reviewer is reviewing" in m for m in _messages(response))
    # Warned, not blocked: the buttons are there.
    assert 'id="transition-verify"' in response.content.decode()
    queue = client.get(QUEUE).content.decode()
    assert ">reviewer<" in queue


def test_claim_renewal_endpoint(client, reviewer, reviewer2, submit):
    submission = submit()
    _login(client, reviewer)
    assert client.post(f"{QUEUE}{submission.pk}/claim/").json() == {"claimed": True, "by": None}
    client.logout()
    _login(client, reviewer2)
    assert client.post(f"{QUEUE}{submission.pk}/claim/").json() == {
        "claimed": False,
        "by": "reviewer",
    }
    assert client.get(f"{QUEUE}{submission.pk}/claim/").status_code == 405


def test_stale_submission_shows_the_base_text_column(client, reviewer, publisher, submit):
    first = submit(changes={"billing_tips": "Published tip"})
    second = submit(changes={"billing_tips": "Competing tip"})
    submission_verify(submission_id=first.pk, actor=reviewer)
    submission_publish(submission_id=first.pk, actor=publisher)
    html = _login(client, reviewer).get(_review(second.pk)).content.decode()
    assert "When proposed (base → now)" in html
    assert "<del>Old</del> tip" in html  # the base text, with what changed since marked
    assert "<del>Published</del> tip" in html and "<ins>Competing</ins> tip" in html


def test_no_add_change_or_delete_forms(client, submit):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    submission = submit()
    _login(client, admin_user)
    assert client.get(f"{QUEUE}add/").status_code == 403
    assert client.get(f"{QUEUE}{submission.pk}/delete/").status_code == 403
