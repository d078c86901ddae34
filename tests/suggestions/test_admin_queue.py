"""The reviewers' queue as a workplace: where each action leads, the messages' links,
"my queue" and the review page's neighbours."""

import pytest
from django.contrib.messages import get_messages
from django.utils.html import strip_tags

from contributions.models import Submission
from contributions.suggestions import claims
from contributions.suggestions.selectors import (
    submission_next,
    submissions_claimed_by,
    submissions_waiting_for,
)
from contributions.suggestions.services import submission_verify

pytestmark = pytest.mark.django_db

QUEUE = "/admin/contributions/submission/"


def _review(pk):
    return f"{QUEUE}{pk}/change/"


def _transition(pk, action):
    return f"{QUEUE}{pk}/transition/{action}/"


def _message(response) -> str:
    """The latest message (earlier ones stay queued while redirects are not followed)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def three(submit):
    """Three suggestions in queue order (oldest first)."""
    return [submit(changes={"body": f"Body {n}"}) for n in range(3)]


@pytest.mark.parametrize("action", ["verify", "reject"])
def test_after_a_reviewers_action_the_next_waiting_suggestion_opens(
    client, reviewer, three, action
):
    first, second, _third = three
    client.force_login(reviewer)
    data = {"standard_reason": "Duplicate of another suggestion."} if action == "reject" else {}
    response = client.post(_transition(first.pk, action), data)
    assert response.status_code == 302
    assert response.url == _review(second.pk)
    message = _message(response)
    # Links to what changed, and says what comes next.
    assert f'<a href="{_review(first.pk)}">Suggestion #{first.pk} for D0370</a>' in message
    past = {"verify": "verified", "reject": "rejected"}[action]
    assert strip_tags(message) == (
        f"Suggestion #{first.pk} for D0370 {past}. Next: #{second.pk} for D0370."
    )


def test_the_next_one_wraps_to_the_top_of_the_queue(client, reviewer, three):
    first, second, third = three
    client.force_login(reviewer)
    response = client.post(_transition(third.pk, "verify"))
    assert response.url == _review(first.pk)


def test_with_nothing_else_waiting_the_reviewer_is_back_on_the_queue(client, reviewer, submit):
    only = submit()
    mine = submit(changes={"body": "Mine"}, email=reviewer.email)  # theirs: never next
    client.force_login(reviewer)
    response = client.post(_transition(only.pk, "verify"))
    assert response.url == QUEUE
    assert "Nothing else waits for you" in _message(response)
    assert Submission.objects.get(pk=mine.pk).status == "submitted"


def test_after_publishing_the_message_links_to_the_code_page_at_its_new_revision(
    client, reviewer, publisher, submit
):
    # Different fields: one publish does not make the others stale (and refused).
    three = [submit(changes={field: "New"}) for field in ("body", "descriptor", "billing_tips")]
    first, second, third = three
    for submission in three:
        submission_verify(submission_id=submission.pk, actor=reviewer)
    client.force_login(publisher)
    response = client.post(_transition(first.pk, "publish"))
    assert response.url == _review(second.pk)
    assert _message(response).startswith(
        f'Suggestion #{first.pk} published: <a href="/codes/D0370/">D0370 is now at revision 2</a>.'
    )
    # The last one: back to the queue.
    client.post(_transition(second.pk, "reject"), {"reason": "Not needed."})
    response = client.post(_transition(third.pk, "publish"))
    assert response.url == QUEUE
    assert "revision 3" in _message(response)


def test_a_publisher_is_sent_to_verified_ones_only_and_never_ones_they_verified(
    client, reviewer, publisher, three
):
    first, second, third = three
    submission_verify(submission_id=first.pk, actor=reviewer)
    submission_verify(submission_id=third.pk, actor=reviewer)
    assert list(submissions_waiting_for(publisher)) == [first, third]
    assert list(submissions_waiting_for(reviewer)) == [second]  # not the ones they verified
    assert submission_next(user=publisher, after=first) == third


def test_a_refused_action_stays_on_the_page(client, reviewer, three):
    client.force_login(reviewer)
    response = client.post(_transition(three[0].pk, "publish"))
    assert response.url == _review(three[0].pk)


def test_next_passes_over_a_suggestion_another_reviewer_has_open(
    client, reviewer, reviewer2, three
):
    first, second, third = three
    claims.claim_take(submission_id=second.pk, user=reviewer2)
    client.force_login(reviewer)
    response = client.post(_transition(first.pk, "verify"))
    assert response.url == _review(third.pk)
    # When every other one is open elsewhere, the first of them all the same.
    claims.claim_take(submission_id=first.pk, user=reviewer2)
    assert submission_next(user=reviewer, after=third) == second


def test_review_page_links_the_previous_and_next_waiting_suggestions(client, reviewer, three):
    first, second, third = three
    client.force_login(reviewer)
    middle = client.get(_review(second.pk))
    assert middle.context["previous_url"] == _review(first.pk)
    assert middle.context["next_url"] == _review(third.pk)
    html = middle.content.decode()
    assert 'id="queue-previous"' in html and 'id="queue-next"' in html
    top = client.get(_review(first.pk))
    assert top.context["previous_url"] == ""
    assert 'id="queue-previous"' not in top.content.decode()


def test_review_page_lists_its_shortcuts_and_loads_them_from_a_static_file(client, reviewer, three):
    client.force_login(reviewer)
    html = client.get(_review(three[0].pk)).content.decode()
    assert 'id="shortcuts"' in html
    assert "<kbd>v</kbd>" in html and "<kbd>j</kbd>" in html and "<kbd>k</kbd>" in html
    assert "<kbd>1</kbd>–<kbd>6</kbd>" in html
    assert 'src="/static/contributions/review.js"' in html
    # No inline script: a Content-Security-Policy can forbid them.
    assert "<script>" not in html
    # Reject is destructive and not the primary button.
    assert 'class="button danger" name="action" value="reject"' in html
    assert 'class="button default" name="action" value="verify"' in html
    assert '<option value="Duplicate of another suggestion.">3. Duplicate' in html


def test_my_queue_waiting_for_me_and_claimed_by_me(client, reviewer, reviewer2, three):
    first, second, third = three
    submission_verify(submission_id=third.pk, actor=reviewer2)
    client.force_login(reviewer)
    client.get(_review(first.pk))  # opening it claims it
    assert list(submissions_claimed_by(reviewer)) == [first]
    assert list(submissions_claimed_by(reviewer2)) == []
    waiting = client.get(QUEUE, {"queue": "waiting"})
    # A reviewer may still reject a verified one: it waits for them too.
    assert [s.pk for s in waiting.context["cl"].result_list] == [first.pk, second.pk, third.pk]
    claimed = client.get(QUEUE, {"queue": "claimed"})
    assert [s.pk for s in claimed.context["cl"].result_list] == [first.pk]
    html = claimed.content.decode()
    assert "<strong>3</strong> waiting for me" in html
    assert "<strong>1</strong> claimed by me" in html
    # Acting releases the claim.
    client.post(_transition(first.pk, "verify"))
    assert list(submissions_claimed_by(reviewer)) == []


def test_queue_shows_field_labels_and_a_stale_word_not_an_icon(client, reviewer, submit):
    submission = submit(changes={"billing_tips": "Tip", "nomenclature": "Title"})
    Submission.objects.filter(pk=submission.pk).update(is_stale=True, stale_fields=["billing_tips"])
    submit(changes={"body": "Fresh"})
    client.force_login(reviewer)
    response = client.get(QUEUE)
    html = response.content.decode()
    assert "Billing tips, Title (nomenclature)" in html
    assert "billing_tips" not in html.split('id="result_list"')[1]
    assert html.count('class="stale-badge"') == 1
    assert "icon-no.svg" not in html and "icon-yes.svg" not in html
    assert "By freshness" in html and "By is stale" not in html


def test_my_queue_counts_stop_at_the_cap(client, reviewer, three, monkeypatch):
    from contributions.core import admin as core_admin

    # Counting a million open rows took 210 ms of every page: past the cap, "N+".
    monkeypatch.setattr(core_admin, "QUEUE_COUNT_CAP", 2)
    client.force_login(reviewer)
    html = client.get("/admin/contributions/submission/").content.decode()
    assert "<strong>2+</strong> waiting for me" in html
