"""The test suite: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests share one Redis; a prefix per run keeps their keys apart.
if CACHES["default"]["BACKEND"].startswith("django_redis"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="cdtsite-test")  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests run inside a transaction that never commits, so the cache's on-commit
# invalidation never fires: the public cache is off except where a test turns it on
# (tests/test_public_cache.py commits for real).
PUBLIC_CACHE_SECONDS = 0
