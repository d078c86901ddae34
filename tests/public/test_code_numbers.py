"""One code number, however it is typed: D0370, d0370 and 0370 in forms, search and URLs."""

from __future__ import annotations

import pytest

from codes.services import normalize_code
from contributions.models import Question, Submission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("D0370", "D0370"),
        ("d0370", "D0370"),
        ("0370", "D0370"),
        (" 0370 ", "D0370"),
        ("d 0370", "D 0370"),  # not a code: left for validation to refuse as typed
        ("370", "370"),
        ("03700", "03700"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_code(typed, number):
    assert normalize_code(typed) == number


@pytest.mark.parametrize("spelling", ["d0370", "0370", "D0370%20"])
def test_code_page_urls_redirect_permanently_to_the_one_address(client, d0370, spelling):
    response = client.get(f"/codes/{spelling}/")
    assert response.status_code == 301
    assert response["Location"] == "/codes/D0370/"


@pytest.mark.parametrize("spelling", ["d0370", "0370"])
def test_suggest_urls_redirect_too(client, d0370, spelling):
    response = client.get(f"/codes/{spelling}/suggest/")
    assert response.status_code == 301
    assert response["Location"] == "/codes/D0370/suggest/"


def test_a_number_that_is_not_a_code_is_a_404(client, d0370):
    assert client.get("/codes/370/").status_code == 404
    assert client.get("/codes/D9999/").status_code == 404


@pytest.mark.parametrize("typed", ["D0340", "d0340", "0340"])
def test_contact_form_takes_the_code_as_typed(client, d0340, typed):
    response = client.post(
        "/contact/",
        {
            "name": "Ann",
            "email": "ann@example.net",
            "subject": "Ceph",
            "body": "Which code?",
            "code": typed,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Question.objects.get().code == d0340


@pytest.mark.parametrize("typed", ["D0370", "d0370", "0370"])
def test_search_finds_the_code_as_typed(client, d0370, typed):
    response = client.get("/codes/", {"q": typed})
    assert [c.code for c in response.context["codes"]] == ["D0370"]


def test_suggest_form_takes_related_codes_as_typed(client, d0370, d0340):
    form = client.get("/codes/D0370/suggest/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        related_codes="0340",
        rationale="They go together.",
        name="Pat",
        email="pat@example.net",
    )
    response = client.post("/codes/D0370/suggest/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Submission.objects.get().changes == {"related_codes": ["D0340"]}
