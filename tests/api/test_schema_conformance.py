"""The API answers as its OpenAPI schema says: schemathesis against /api/schema/.

Every operation of the live schema is called in-process (WSGI) with generated cases —
explicit examples, the coverage phase's boundary values, and fuzzed inputs, valid and
invalid — once anonymously and once with a staff token, against the real database holding
the sample codes and suggestions, questions and releases in every state. Every check runs:
no 5xx, documented status codes, content types, headers and bodies, and invalid input
refused (negative data rejection) where the schema says what is invalid.

The number of fuzzed cases per operation is bounded (SCHEMATHESIS_MAX_EXAMPLES, default 8)
so the module stays quick in `make test`; for a deeper run:

    SCHEMATHESIS_MAX_EXAMPLES=500 pytest tests/api/test_schema_conformance.py
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.api.conformance_data import world_make

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))

# What each run tried, printed at the end of the session (`pytest -s` or -rA shows it).
TRIED: dict[str, dict[str, int]] = {}


# Operations whose schema-valid input may still be refused with a 400 because validity
# depends on the data, not on the shape: the category, code or expert named must exist,
# a period must not end before it starts, a suggestion must change something.
DATA_DEPENDENT = [
    "GET /api/codes/",
    "POST /api/submissions/",
    "POST /api/questions/",
    "POST /api/review/questions/{id}/assign/",
    "GET /api/reports/questions/",
]


def _config(world, *, staff: bool) -> schemathesis.Config:
    auth = {"openapi": {"tokenAuth": {"api_key": f"Token {world.token}"}}} if staff else {}
    return schemathesis.Config.from_dict(
        {
            "seed": 20260101,
            "auth": auth,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                # The API's own auth header is set above; random ones only test DRF.
                "with-security-parameters": False,
                # NUL is refused on purpose (tests/hardening/test_input.py); the schema
                # does not repeat that for every string.
                "allow-x00": False,
                # The same cases on every machine: the seed alone decides, not failures a
                # local example database kept from earlier runs.
                "database": "none",
            },
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}},
            "checks": {"enabled": True},
            "operations": [
                {
                    "include-name": label,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                        }
                    },
                }
                for label in DATA_DEPENDENT
            ],
            # Real objects now and then, so cases get past the 404 to the workflow.
            "dictionaries": {
                "ids": {"values": world.ids},
                "tokens": {"values": world.tracking_tokens},
                "editions": {"values": world.editions},
                "codes": {"values": world.codes},
            },
            "parameters": {
                "path.id": {"dictionary": "ids", "probability": 0.7},
                "path.token": {"dictionary": "tokens", "probability": 0.7},
                "path.edition": {"dictionary": "editions", "probability": 0.7},
                "path.code": {"dictionary": "codes", "probability": 0.7},
            },
        }
    )


@pytest.fixture(params=["anonymous", "staff"])
def api_schema(request, settings, roles, categories):
    # Generous limits: a 429 midway would hide what the case tests. The 429 stays in the
    # schema (tests/hardening/test_throttling.py shows it answers).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_writes": "1000000/min"},
    }
    settings.THROTTLE_ACKS_PER_RECIPIENT = "1000000/hour"
    world = world_make()
    # As Django's test client does: a real WSGI handler closes the connection after each
    # request, which would end the test's transaction (and its data) after the first call.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/",
            get_wsgi_application(),
            config=_config(world, staff=request.param == "staff"),
        )
        TRIED[request.param] = {}
        # schemathesis renames the test per operation through this attribute, which
        # pytest 9 no longer has; without it the lazy schema cannot start. Subtests still
        # carry the operation's name.
        request.node._nodeid = request.node.nodeid
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_answers_as_its_schema_says(case):
    tried = TRIED[next(reversed(TRIED))]  # the run under way
    tried[case.operation.label] = tried.get(case.operation.label, 0) + 1
    case.call_and_validate()


def teardown_module():
    for run, operations in TRIED.items():
        print(
            f"\nschemathesis {run}: {len(operations)} operations, {sum(operations.values())} cases"
        )
