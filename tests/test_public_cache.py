"""Public pages come from the shared cache, and no change ever leaves a stale one."""

import pytest
from django.core.cache import cache
from django.test import Client

from codes.services import code_update
from contributions.questions.services import (
    question_answer,
    question_assign,
    question_create,
    question_publish,
)
from tests.factories import code_make

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()


@pytest.fixture
def d0370(imaging):
    return code_make("D0370", category=imaging, nomenclature="Ultrasound image capture")


def test_a_second_request_is_a_hit_with_the_same_body_and_etag(d0370):
    first = Client().get("/codes/D0370/")
    second = Client().get("/codes/D0370/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert second["Content-Type"].startswith("text/html")
    # Headers the pages need, set by every middleware below the cache, are replayed.
    for header in (
        "X-Frame-Options",
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert second[header] == first[header], header


def test_a_host_not_allowed_is_refused_even_when_the_page_is_cached(d0370):
    Client().get("/codes/D0370/")
    assert Client(HTTP_HOST="attacker.example").get("/codes/D0370/").status_code == 400


def test_a_hit_skips_the_database(d0370, django_assert_num_queries):
    Client().get("/api/codes/D0370/")
    with django_assert_num_queries(0):
        assert Client().get("/api/codes/D0370/")["X-Cache"] == "hit"


def test_conditional_get_answers_304(d0370):
    first = Client().get("/codes/D0370/")
    again = Client().get("/codes/D0370/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    since = Client().get("/codes/D0370/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert Client().get("/codes/D0370/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("path", ["/codes/D0370/", "/api/codes/D0370/", "/codes/?q=ultrasound"])
def test_a_publish_is_seen_at_once(d0370, path):
    Client().get(path)
    code_update(code="D0370", changes={"nomenclature": "Ultrasound capture, revised"})
    fresh = Client().get(path)
    assert fresh["X-Cache"] == "miss"
    assert "revised" in fresh.content.decode()


def test_a_question_shown_on_the_code_page_is_seen_at_once(d0370, expert):
    question, _token = question_create(
        name="Ann", email="ann@example.net", subject="Two images, one claim?",
        body="Same visit.", code="D0370", publish_consent=True,
    )  # fmt: skip
    question_assign(question_id=question.pk, actor=expert)
    question_answer(question_id=question.pk, actor=expert, answer="Yes.")
    assert "Two images, one claim?" not in Client().get("/codes/D0370/").content.decode()
    question_publish(question_id=question.pk, actor=expert)
    assert "Two images, one claim?" in Client().get("/codes/D0370/").content.decode()


def test_signed_in_staff_and_writes_are_never_served_from_the_cache(d0370, admin_client):
    Client().get("/codes/D0370/")
    assert "X-Cache" not in admin_client.get("/codes/D0370/")
    token = Client(HTTP_AUTHORIZATION="Token abc").get("/api/codes/D0370/")
    assert "X-Cache" not in token


def test_pages_with_a_form_token_are_not_stored(d0370):
    Client().get("/codes/D0370/suggest/")
    assert Client().get("/codes/D0370/suggest/").get("X-Cache") != "hit"


def test_the_next_day_is_a_new_entry(d0370, monkeypatch):
    import datetime

    from django.utils import timezone

    Client().get("/codes/D0370/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert Client().get("/codes/D0370/")["X-Cache"] == "miss"


def test_with_the_cache_unreachable_pages_still_work(d0370, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    from django.core.cache import caches

    caches._settings = caches.settings = settings.CACHES  # rebuilt for this test only
    try:
        caches.close_all()
        del caches._connections.default
    except AttributeError:
        pass
    response = Client().get("/codes/D0370/")
    assert response.status_code == 200
    assert "X-Cache" not in response


@pytest.fixture
def redis_cache(settings):
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        pytest.skip("the per-process copies follow Redis's pushes: needs REDIS_URL")
    import redis

    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


def test_a_change_from_another_process_is_seen_at_once(d0370, redis_cache):
    from cdtsite.cache import GENERATION_KEY

    Client().get("/codes/D0370/")
    assert Client().get("/codes/D0370/")["X-Cache"] == "hit"  # this process's copy
    # Another process's publish: only Redis's push tells this process.
    redis_cache.incr(cache.make_key(GENERATION_KEY))
    assert Client().get("/codes/D0370/")["X-Cache"] == "miss"


def test_a_lost_tracking_connection_drops_the_copies(d0370, redis_cache):
    from cdtsite.cache import GENERATION_KEY, _local

    Client().get("/codes/D0370/")
    assert Client().get("/codes/D0370/")["X-Cache"] == "hit"
    # The connection that would carry the push is gone when the generation moves on.
    _local._conn.send_command("CLIENT", "ID")
    assert redis_cache.client_kill_filter(_id=_local._conn.read_response()) == 1
    redis_cache.incr(cache.make_key(GENERATION_KEY))
    assert Client().get("/codes/D0370/")["X-Cache"] == "miss"


def test_copies_are_bounded_in_bytes(d0370, settings):
    from cdtsite.cache import _local

    settings.PUBLIC_CACHE_LOCAL_BYTES = 1
    Client().get("/codes/D0370/")
    Client().get("/api/codes/D0370/")
    assert len(_local._entries) <= 1


def test_a_hit_on_a_local_copy_does_not_touch_redis(d0370, redis_cache, settings):
    import time

    from cdtsite.cache import _local

    settings.PUBLIC_CACHE_VERIFY_SECONDS = 60
    Client().get("/codes/D0370/")
    assert Client().get("/codes/D0370/")["X-Cache"] == "hit"
    (key,) = _local._entries
    time.sleep(2.1)  # Redis's idle clock ticks in seconds
    assert Client().get("/codes/D0370/")["X-Cache"] == "hit"
    # The entry in Redis was not read for that hit: its idle time kept growing.
    assert redis_cache.object("idletime", cache.make_key(key)) >= 2
