"""Public reads go to a replica; staff, writes, tracking pages and fresh writes to the primary."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from cdtsite import db_router
from codes.models import Code

pytestmark = pytest.mark.django_db


@pytest.fixture
def replicas(monkeypatch, settings):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: ["replica1"])
    settings.REPLICA_LAG_SECONDS = 30


def _reads(request, model=Code) -> str:
    """Which database the router picks for `model` while `request` is served."""
    seen = {}

    def view(req):
        seen["alias"] = db_router.ReplicaRouter().db_for_read(model)
        return HttpResponse()

    db_router.PublicReadsMiddleware(view)(request)
    return seen["alias"]


def test_anonymous_page_and_api_reads_go_to_a_replica(replicas):
    factory = RequestFactory()
    assert _reads(factory.get("/codes/D0370/")) == "replica1"
    assert _reads(factory.get("/api/codes/?q=ultrasound")) == "replica1"
    assert _reads(factory.head("/codes/")) == "replica1"


@pytest.mark.parametrize(
    "path", ["/admin/", "/track/submissions/x/", "/api/review/submissions/", "/readyz"]
)
def test_staff_and_tracking_paths_read_the_primary(replicas, path):
    assert _reads(RequestFactory().get(path)) == "default"


def test_signed_in_and_token_requests_and_writes_read_the_primary(replicas, settings):
    factory = RequestFactory()
    signed_in = factory.get("/codes/D0370/")
    signed_in.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert _reads(signed_in) == "default"
    assert _reads(factory.get("/api/codes/", HTTP_AUTHORIZATION="Token x")) == "default"
    assert _reads(factory.post("/contact/")) == "default"
    assert db_router.ReplicaRouter().db_for_write(Code) == "default"


def test_users_and_sessions_always_come_from_the_primary(replicas):
    assert _reads(RequestFactory().get("/codes/"), model=get_user_model()) == "default"


def test_after_a_catalog_write_public_reads_use_the_primary_for_a_while(
    replicas, django_capture_on_commit_callbacks, imaging
):
    from tests.factories import code_make

    with django_capture_on_commit_callbacks(execute=True):
        code_make("D0370", category=imaging)
    assert _reads(RequestFactory().get("/codes/D0370/")) == "default"


def test_without_replicas_everything_reads_the_primary():
    assert db_router.replica_aliases() == []
    assert _reads(RequestFactory().get("/codes/D0370/")) == "default"
