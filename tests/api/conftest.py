from tests.hardening.conftest import d0370  # noqa: F401  (the code the API tests write about)
