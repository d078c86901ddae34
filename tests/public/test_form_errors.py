"""Public forms after the GOV.UK pattern: error summary, wired ids, required marks, wording."""

from __future__ import annotations

import re

import pytest

from contributions.models import Question, Submission

from .html_checks import dangling_references, duplicate_ids, parse

pytestmark = pytest.mark.django_db

ASK = {
    "name": "Ann Asker",
    "email": "ann@example.net",
    "subject": "Two images, one visit?",
    "body": "Can D0370 and D0386 go on one claim?",
}


def _summary(html: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert block, "no error summary"
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', block.group(0))


def _contact_post(client, **data):
    return client.post("/contact/", {**ASK, **data})


def test_empty_contact_form_lists_every_error_at_the_top_as_links_to_the_fields(client):
    response = client.post("/contact/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert _summary(html) == [
        ("id_subject", "Enter a subject"),
        ("id_body", "Enter your question"),
        ("id_name", "Enter your name"),
        ("id_email", "Enter your email address"),
    ]
    # The summary is the first thing in <main> and takes focus when the page loads.
    main = html.split('<main id="main"', 1)[1]
    assert main.index('class="error-summary"') < main.index("<h1")
    assert re.search(r'<div class="error-summary"[^>]*tabindex="-1"[^>]*autofocus', html)
    assert "<title>Error: Ask a billing question | CDT Codes</title>" in html
    assert Question.objects.count() == 0


def test_a_badly_formed_email_says_how_to_write_one(client):
    response = _contact_post(client, email="ann at example")
    assert response.context["form"].errors["email"] == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_each_error_and_hint_is_referenced_by_its_field_through_ids_that_exist(client):
    html = client.post("/contact/", {"email": "nope"}).content.decode()
    assert dangling_references(html) == []
    assert duplicate_ids(html) == []
    email = next(attrs for tag, attrs in parse(html).elements if attrs.get("id") == "id_email")
    assert email["aria-describedby"].split() == ["id_email_helptext", "id_email_error"]
    assert email["aria-invalid"] == "true"
    assert 'id="id_email_error"' in html and 'id="id_email_helptext"' in html
    # An error reads as one to a screen reader too.
    assert '<span class="visually-hidden">Error:</span> Enter an email address' in html


@pytest.mark.parametrize("url", ["/contact/", "/codes/D0370/suggest/", "/codes/D0370/"])
def test_empty_forms_mark_required_fields_and_reference_only_existing_ids(client, d0370, url):
    html = client.get(url).content.decode()
    assert dangling_references(html) == []
    assert duplicate_ids(html) == []
    elements = {attrs.get("id"): attrs for _, attrs in parse(html).elements}
    for field in ("id_name", "id_email"):
        assert elements[field]["aria-required"] == "true"
        assert re.search(rf'<label for="{field}">[^<]*<span class="required">\(required\)', html)
    assert elements["id_email"]["autocomplete"] == "email"
    assert elements["id_name"]["autocomplete"] == "name"


def test_suggest_form_summary_links_a_form_wide_error_to_the_first_field(client, d0370):
    form = client.get("/codes/D0370/suggest/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post("/codes/D0370/suggest/", {**data, "email": "x@y"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = _summary(html)
    assert summary[0] == ("id_nomenclature", "Propose a new value for at least one field.")
    assert ("id_rationale", "Say why this change is right") in summary
    assert ("id_name", "Enter your name") in summary
    assert (
        "id_email",
        "Enter an email address in the correct format, like name@example.com",
    ) in summary
    assert dangling_references(html) == []
    assert "<title>Error: Suggest an edit to D0370 | CDT Codes</title>" in html
    assert Submission.objects.count() == 0


def test_a_valid_form_shows_no_summary(client):
    html = client.get("/contact/").content.decode()
    assert "error-summary" not in html
    assert "<title>Ask a billing question | CDT Codes</title>" in html


def test_code_page_form_errors_show_on_their_own_page_with_the_summary(client, d0370):
    response = client.post(
        "/codes/D0370/questions/", {"subject": "Hi"}, HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert [anchor for anchor, _ in _summary(html)] == ["id_body", "id_name", "id_email"]
    assert dangling_references(html) == []
