import pytest
from rest_framework.test import APIClient

from cdtsite.throttling import AnonWritesThrottle
from contributions.models import Question
from contributions.questions.services import question_answer, question_assign
from tests.factories import code_make

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Ann",
    "email": "ann.private@example.net",
    "subject": "Billing D0702",
    "body": "With D0340?",
    "code": "D0702",
    "publish_consent": False,
}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def d0702(imaging):
    return code_make("D0702", category=imaging)


def test_asking_through_the_api(api, d0702):
    response = api.post("/api/questions/", BODY, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "status", "due_at", "tracking_url"}
    assert data["status"] == "new"
    question = Question.objects.get(pk=data["id"])
    assert (question.code, question.source) == (d0702, "api")
    assert data["tracking_url"].startswith("http://testserver/track/questions/")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "email": "no"}, "email"),
        ({**BODY, "code": "D9999"}, "code"),
        ({**BODY, "subject": ""}, "subject"),
        ({**BODY, "extra": 1}, "extra"),
        ({k: v for k, v in BODY.items() if k != "body"}, "body"),
    ],
)
def test_bad_input_names_the_field(api, d0702, body, field):
    response = api.post("/api/questions/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Question.objects.count() == 0


def test_tracking_shows_the_answer_only_once_answered(api, d0702, expert):
    url = api.post("/api/questions/", BODY, format="json").json()["tracking_url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    data = api.get(f"/api/questions/track/{token}/").json()
    assert (data["status"], data["answer"], data["code"]) == ("new", None, "D0702")
    assert "ann.private" not in str(data)
    question = Question.objects.get()
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes, both.")
    data = api.get(f"/api/questions/track/{token}/").json()
    assert (data["status"], data["answer"]) == ("answered", "Yes, both.")
    assert api.get("/api/questions/track/nope/").status_code == 404


def test_questions_are_throttled(api, d0702, monkeypatch):
    monkeypatch.setattr(AnonWritesThrottle, "rate", "2/min", raising=False)
    codes = [api.post("/api/questions/", BODY, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
