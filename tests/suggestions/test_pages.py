import re

import pytest
from django.test import Client

from contributions.models import Submission
from contributions.suggestions.services import (
    submission_publish,
    submission_reject,
    submission_verify,
)

pytestmark = pytest.mark.django_db

FORM = {
    "billing_tips": "A clearer tip.",
    "rationale": "The payer manual says so.",
    "sources": "https://example.org/manual\nhttps://example.org/other",
    "name": "Pat Visitor",
    "email": "pat.private@example.net",
}


def _form(client, **overrides) -> dict:
    """What a visitor sends: the prefilled form, with their edits."""
    form = client.get("/codes/D0370/suggest/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(FORM)
    data.update(overrides)
    return data


def _track_path(response) -> str:
    return response["Location"].split("?")[0]


def test_code_page_links_to_the_suggest_form(client, d0370):
    html = client.get("/codes/D0370/").content.decode()
    assert 'href="/codes/D0370/suggest/"' in html


def test_suggest_form_is_prefilled_with_the_current_text(client, d0370):
    response = client.get("/codes/D0370/suggest/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["billing_tips"].value() == "Old tip"
    assert form["base_revision"].value() == 1
    assert client.get("/codes/d0370/suggest/").status_code == 301
    assert client.get("/codes/D9999/suggest/").status_code == 404


def test_sending_stores_only_the_edited_fields_and_shows_the_tracking_page(client, d0370):
    response = client.post("/codes/D0370/suggest/", _form(client))
    assert response.status_code == 302
    assert response["Location"].startswith("/track/submissions/")
    assert response["Referrer-Policy"] == "same-origin"
    submission = Submission.objects.get()
    assert submission.changes == {"billing_tips": "A clearer tip."}
    assert submission.sources == ["https://example.org/manual", "https://example.org/other"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="submission-status">Submitted<' in html
    assert 'id="tracking-url"' in html
    assert _track_path(response) in html
    assert "pat.private@example.net" not in html
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Robots-Tag"] == "noindex, nofollow"


def test_errors_show_next_to_their_fields_and_nothing_is_stored(client, d0370):
    bad = _form(client, billing_tips="Old tip", rationale="", email="nope", sources="ftp://x")
    response = client.post("/codes/D0370/suggest/", bad)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["rationale"]
    assert form.errors["email"]
    assert form.errors["sources"]
    assert "The proposed values are the same as the current text." in form.non_field_errors()[
        0
    ] or ("Propose a new value" in " ".join(form.non_field_errors()))
    html = response.content.decode()
    assert 'id="id_rationale_error"' in html
    # What the visitor typed is kept.
    assert form["email"].value() == "nope"
    assert Submission.objects.count() == 0


def test_a_bad_proposed_value_is_shown_on_its_field(client, d0370):
    response = client.post("/codes/D0370/suggest/", _form(client, related_codes="D9999"))
    assert response.status_code == 400
    assert "Unknown codes: D9999." in response.context["form"].errors["related_codes"]


def test_the_form_needs_the_csrf_token(d0370):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/codes/D0370/suggest/", _form(client)).status_code == 403
    assert Submission.objects.count() == 0


def test_a_bot_filling_the_hidden_field_stores_nothing(client, d0370):
    response = client.post("/codes/D0370/suggest/", _form(client, website="http://spam.example"))
    assert response.status_code == 404
    assert Submission.objects.count() == 0


def test_wrong_tracking_token_is_a_404(client, submit):
    submit()
    assert client.get("/track/submissions/not-the-token/").status_code == 404
    assert client.post("/track/submissions/not-the-token/").status_code == 404


def test_submitter_withdraws_from_the_tracking_page(client, submit):
    submission = submit()
    url = f"/track/submissions/{submission.token}/"
    assert 'id="withdraw"' in client.get(url).content.decode()
    response = client.post(url, {"note": "Never mind"}, follow=True)
    assert response.status_code == 200
    assert Submission.objects.get(pk=submission.pk).status == "withdrawn"
    html = response.content.decode()
    assert 'id="submission-status">Withdrawn<' in html
    assert 'id="withdraw"' not in html
    again = client.post(url, follow=True)
    assert "cannot be withdrawn" in again.content.decode()


def test_tracking_page_shows_public_notes_only(client, submit, reviewer):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer, note="INTERNAL reviewer note")
    submission_reject(submission_id=submission.pk, actor=reviewer, reason="The manual disagrees.")
    html = client.get(f"/track/submissions/{submission.token}/").content.decode()
    assert "The manual disagrees." in html
    assert "INTERNAL reviewer note" not in html
    assert 'id="withdraw"' not in html


def test_changes_page_and_feed_list_published_changes(client, submit, reviewer, publisher):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer)
    submission_publish(submission_id=submission.pk, actor=publisher)
    html = client.get("/changes/").content.decode()
    assert 'href="/codes/D0370/"' in html
    assert "revision 2" in html and "Billing tips" in html
    feed = client.get("/changes/feed/")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "<title>D0370 revision 2: Billing tips</title>" in body
    assert "http://testserver/codes/D0370/" in body
    assert "pat@example.net" not in body and "publisher" not in body


def test_changes_page_is_empty_before_any_publish_and_paginates_safely(client, d0370):
    assert "No changes have been published yet." in client.get("/changes/").content.decode()
    assert client.get("/changes/?page=zzz").status_code == 200


def test_the_submitters_email_is_on_no_public_page_or_api(client, submit, reviewer, publisher):
    submission = submit()
    submission_verify(submission_id=submission.pk, actor=reviewer)
    submission_publish(submission_id=submission.pk, actor=publisher)
    pages = [
        "/",
        "/codes/",
        "/codes/D0370/",
        "/codes/D0370/suggest/",
        f"/track/submissions/{submission.token}/",
        "/changes/",
        "/changes/feed/",
        "/api/codes/",
        "/api/codes/D0370/",
        "/api/codes/D0370/revisions/",
        f"/api/submissions/track/{submission.token}/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not re.search(r"pat@example\.net", response.content.decode()), path
