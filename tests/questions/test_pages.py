import pytest
from django.test import Client

from contributions.models import Question
from contributions.questions.services import question_answer, question_assign, question_publish
from tests.factories import code_make

pytestmark = pytest.mark.django_db

ASK = {
    "name": "Ann Asker",
    "email": "ann.private@example.net",
    "subject": "Two images, one visit?",
    "body": "Can D0370 and D0386 go on one claim?",
}


@pytest.fixture
def d0370(imaging):
    return code_make("D0370", category=imaging, nomenclature="Maxillofacial ultrasound")


def test_code_page_has_the_comments_form_without_a_csrf_token(client, d0370):
    html = client.get("/codes/D0370/").content.decode()
    assert 'action="/codes/D0370/questions/"' in html
    assert 'id="ask-submit"' in html
    assert "csrfmiddlewaretoken" not in html


def test_asking_on_a_code_page_ties_the_question_to_the_code(client, d0370):
    response = client.post("/codes/D0370/questions/", ASK, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.code, question.source) == (d0370, "code_page")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'id="sent-notice"' in html and 'id="expected-by"' in html
    assert 'id="question-status">New<' in html
    assert "ann.private@example.net" not in html
    assert page["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_a_cross_site_post_to_the_code_page_form_is_refused(client, d0370, headers):
    assert client.post("/codes/D0370/questions/", ASK, **headers).status_code == 403
    assert Question.objects.count() == 0


def test_a_same_origin_post_without_fetch_metadata_is_accepted(client, d0370):
    response = client.post("/codes/D0370/questions/", ASK, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302


def test_the_code_page_form_shows_errors_next_to_the_fields(client, d0370):
    response = client.post(
        "/codes/D0370/questions/",
        {**ASK, "email": "x", "body": ""},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["email"] and form.errors["body"]
    assert Question.objects.count() == 0


def test_contact_page_asks_with_an_optional_code_and_needs_csrf(d0370):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/contact/?code=D0370")
    assert page.status_code == 200
    assert page.context["form"]["code"].value() == "D0370"
    assert client.post("/contact/", ASK).status_code == 403
    token = page.cookies["csrftoken"].value
    response = client.post("/contact/", {**ASK, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Question.objects.get().code is None


def test_contact_page_with_an_unknown_code_names_the_field(client, d0370):
    response = client.post("/contact/", {**ASK, "code": "D9999"})
    assert response.status_code == 400
    assert "There is no code D9999." in response.context["form"].errors["code"]


def test_tracking_page_shows_the_answer_once_answered(client, d0370, ask, expert):
    question = ask(code="D0370")
    url = f"/track/questions/{question.token}/"
    assert 'id="answer"' not in client.get(url).content.decode()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Report both codes.")
    html = client.get(url).content.decode()
    assert 'id="answer"' in html and "Report both codes." in html
    assert client.get("/track/questions/wrong/").status_code == 404


def test_published_answers_show_on_the_code_page_without_the_asker(client, d0370, ask, expert):
    question = ask(code="D0370", publish_consent=True)
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Report both codes.")
    assert "Report both codes." not in client.get("/codes/D0370/").content.decode()
    question_publish(question_id=question.pk, actor=expert)
    html = client.get("/codes/D0370/").content.decode()
    assert "Report both codes." in html
    assert "Ann Asker" not in html and "ann.private@example.net" not in html


def test_code_page_costs_the_same_queries_with_many_published_questions(
    client, d0370, ask, expert, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/codes/D0370/")
    for n in range(5):
        q = ask(code="D0370", publish_consent=True, subject=f"Q{n}")
        question_assign(question_id=q.pk, actor=expert)
        question_answer(question_id=q.pk, actor=expert, answer=f"A{n}")
        question_publish(question_id=q.pk, actor=expert)
    with CaptureQueriesContext(connection) as many:
        client.get("/codes/D0370/")
    assert len(many) == len(few)


def test_the_answers_rendered_once_follow_every_change_to_their_rows(client, d0370, ask, expert):
    # Credentials keep the page cache out of it: this is the page built from the rows
    # read on this request; the rendered list is kept per distinct rows.
    uncached = {"HTTP_AUTHORIZATION": "Bearer reader"}
    question = ask(code="D0370", publish_consent=True)
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Report both codes.")
    question_publish(question_id=question.pk, actor=expert)
    assert "Report both codes." in client.get("/codes/D0370/", **uncached).content.decode()

    Question.objects.filter(pk=question.pk).update(answer="Report each code once.")
    html = client.get("/codes/D0370/", **uncached).content.decode()
    assert "Report each code once." in html and "Report both codes." not in html

    Question.objects.filter(pk=question.pk).update(is_published=False)
    html = client.get("/codes/D0370/", **uncached).content.decode()
    assert "Report each code once." not in html
    assert "No published questions about D0370 yet." in html
