"""Anonymous writes: one bucket per client for the API and the forms, atomic in Redis,
a client address no header can forge, a per-process limit while Redis is down, and a
per-recipient cap on acknowledgements."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from cdtsite import throttling
from contributions.models import Notification, Question
from tests.hardening.conftest import QUESTION, SUBMISSION
from tests.hardening.servers import private_redis

pytestmark = pytest.mark.django_db

SAME_SITE = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _rate(rate: str):
    return override_settings(
        REST_FRAMEWORK={
            **__import__("django.conf").conf.settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon_writes": rate},
        }
    )


def _request(remote="203.0.113.7", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    request = RequestFactory().post("/api/questions/", **extra)
    request.user = AnonymousUser()
    return request


def _redis_is_the_cache() -> bool:
    return throttling._redis() is not None


def test_100_concurrent_posts_from_one_client_admit_exactly_the_limit():
    if not _redis_is_the_cache():
        pytest.skip("needs REDIS_URL: the per-process counter is what runs without it")
    throttle = throttling.AnonWritesThrottle()
    throttle.rate = "30/min"

    def one(_):
        return throttle.allow_request(_request(), None)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(100)))
    assert results.count(True) == 30
    assert results.count(False) == 70


@pytest.mark.parametrize(
    "forged",
    [lambda i: f"198.51.100.{i}", lambda i: f"198.51.100.{i}, ", lambda i: "1.2.3.4," * (i + 1)],
    ids=["forged", "trailing-comma", "repeated"],
)
def test_a_forged_x_forwarded_for_changes_nothing(forged):
    throttle = throttling.AnonWritesThrottle()
    throttle.rate = "30/min"
    admitted = sum(throttle.allow_request(_request(xff=forged(i)), None) for i in range(100))
    assert admitted == 30


@pytest.mark.parametrize(
    ("proxies", "xff", "client"),
    [
        (0, "198.51.100.9", "203.0.113.7"),
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the client forged the left part
        (1, "6.6.6.6, 198.51.100.9, ", "198.51.100.9"),  # a trailing comma is no entry
        (2, "6.6.6.6, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (1, "not-an-address", "203.0.113.7"),
        (1, "", "203.0.113.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_the_client_is_taken_from_the_trusted_proxies_only(proxies, xff, client):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert throttling.client_ip(_request(xff=xff)) == client


def test_ipv6_clients_are_counted_per_64_network():
    one = _request(remote="2001:db8:1:2::1")
    other = _request(remote="2001:db8:1:2:ffff::9")
    assert throttling.client_key(one) == throttling.client_key(other) == "2001:db8:1:2::/64"


def test_a_throttled_api_write_is_a_json_429_with_retry_after(d0370):
    api = APIClient()
    with _rate("2/min"):
        codes = [api.post("/api/questions/", QUESTION, format="json").status_code for _ in range(3)]
        response = api.post("/api/submissions/", SUBMISSION, format="json")
    assert codes == [201, 201, 429]
    assert response.status_code == 429  # one bucket: the other endpoint is spent too
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "seconds" in response.json()["detail"]


def _suggest_form(client):
    form = client.get("/codes/D0370/suggest/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(billing_tips="A better tip", rationale="The manual says so.", name="Pat")
    data.update(email="pat@example.net", sources="https://example.org/m")
    return data


@pytest.mark.parametrize("form", ["suggest", "code-page question", "contact"])
def test_each_html_form_is_throttled_with_a_429_page(client, d0370, form):
    posts = {
        "suggest": lambda: client.post("/codes/D0370/suggest/", _suggest_form(client)),
        "code-page question": lambda: client.post("/codes/D0370/questions/", QUESTION, **SAME_SITE),
        "contact": lambda: client.post("/contact/", QUESTION),
    }
    with _rate("3/min"):
        codes = [posts[form]().status_code for _ in range(5)]
        last = posts[form]()
    assert codes == [302, 302, 302, 429, 429]
    assert last["Retry-After"].isdigit()
    assert "Too many requests" in last.content.decode()
    assert last["Content-Type"].startswith("text/html")


def test_forms_and_api_share_one_bucket_and_withdraw_counts(client, submission_token):
    api = APIClient()
    with _rate("3/min"):
        assert client.post("/contact/", QUESTION).status_code == 302
        assert api.post("/api/questions/", QUESTION, format="json").status_code == 201
        assert client.post(f"/track/submissions/{submission_token}/").status_code == 302
        page = client.post(f"/track/submissions/{submission_token}/")
        json = api.post(f"/api/submissions/track/{submission_token}/withdraw/", {}, format="json")
    assert (page.status_code, json.status_code) == (429, 429)


def test_a_signed_in_user_is_not_counted(client, d0370, django_user_model):
    client.force_login(django_user_model.objects.create_user("staffer", password="x"))
    with _rate("1/min"):
        codes = [client.post("/contact/", QUESTION).status_code for _ in range(3)]
    assert codes == [302, 302, 302]


def test_while_redis_is_down_a_per_process_limit_applies_never_an_error(d0370):
    api = APIClient()
    with private_redis() as server:
        caches = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
            }
        }
        with override_settings(CACHES=caches), _rate("30/min"):
            assert throttling._redis() is not None
            before = [api.post("/api/questions/", QUESTION, format="json").status_code]
            server.stop()
            during = [
                api.post("/api/questions/", QUESTION, format="json").status_code for _ in range(45)
            ]
    assert before == [201]
    assert set(during) == {201, 429}  # no 500, and a limit
    assert during.count(201) == 30
    assert Question.objects.count() == 31


@override_settings(THROTTLE_ACKS_PER_RECIPIENT="3/hour")
def test_one_inbox_gets_a_bounded_number_of_acknowledgements_from_many_clients(d0370):
    for i in range(6):
        api = APIClient(REMOTE_ADDR=f"198.51.100.{i}")
        assert api.post("/api/questions/", QUESTION, format="json").status_code == 201
    assert Question.objects.count() == 6  # every question is kept
    acks = Notification.objects.filter(event="question.ack", recipient=QUESTION["email"])
    assert acks.count() == 3
    other = {**QUESTION, "email": "someone.else@example.net"}
    assert APIClient().post("/api/questions/", other, format="json").status_code == 201
    assert Notification.objects.filter(event="question.ack", recipient=other["email"]).count() == 1


@override_settings(THROTTLE_ACKS_PER_RECIPIENT="2/hour")
def test_suggestion_receipts_are_capped_per_recipient_too(d0370):
    for i in range(4):
        body = {**SUBMISSION, "changes": {"billing_tips": f"Tip {i}"}}
        response = APIClient(REMOTE_ADDR=f"198.51.100.{i}").post(
            "/api/submissions/", body, format="json"
        )
        assert response.status_code == 201
    receipts = Notification.objects.filter(event="submission.receipt")
    assert receipts.count() == 2
    assert not mail.outbox or all(m.to != [] for m in mail.outbox)
