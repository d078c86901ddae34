"""Settings shared by every environment; values come from the environment.

https://docs.djangoproject.com/en/5.2/ref/settings/
https://django-environ.readthedocs.io/
"""

from datetime import time as _time
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
# The embedded defaults (SQLite database, Celery broker) live here; a fresh clone has
# no var/ yet, and the broker cannot create its file without it.
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
# A developer may keep local values in .env; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "cdtsite.admin_site.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "codes",
    "contributions",
]

MIDDLEWARE = [
    # First: a cache hit needs no other middleware, and an entry keeps the headers of all.
    "cdtsite.cache.PublicCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cdtsite.middleware.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cdtsite.db_router.PublicReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cdtsite.middleware.SecurityHeadersMiddleware",
    "cdtsite.errors.DatabaseUnavailableMiddleware",
    "cdtsite.throttling.AnonWritesThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cdtsite.urls"
WSGI_APPLICATION = "cdtsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cdtsite.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process and a worker at once: take the write
    # lock when a transaction starts (no "database is locked" on upgrade) and let
    # readers go on while one writes.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
    }
# Persistent connections: a new PostgreSQL connection per request costs more than most
# pages. Health checks drop a connection the server (or PgBouncer) closed, before use.
# Behind PgBouncer in transaction mode: DISABLE_SERVER_SIDE_CURSORS=true (see README).
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# https://docs.djangoproject.com/en/5.2/ref/databases/#transaction-pooling-server-side-cursors
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replicas (comma-separated URLs) for anonymous public reads; staff and every
# write use the primary (cdtsite.db_router). After a catalog write, reads stay on the
# primary this long, the most a replica may lag.
# https://docs.djangoproject.com/en/5.2/topics/db/multi-db/
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_LAG_SECONDS = env.int("REPLICA_LAG_SECONDS", default=30)
for _index, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{_index}"] = {
        **env.db_url_config(_url),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        # Tests read the replica's alias from the primary's test database.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["cdtsite.db_router.ReplicaRouter"]

REDIS_URL = env("REDIS_URL", default="")

# Public pages and API answers are cached (cdtsite.cache) for this long at most; any
# public change makes older entries unreachable at once. 0 turns the cache off.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=600)
# Each process keeps up to this many bytes of entries it served, and trusts them with no
# round trip while Redis pushes no change; it re-reads the generation at least this often
# in case a push was lost without the connection showing it.
PUBLIC_CACHE_LOCAL_BYTES = env.int("PUBLIC_CACHE_LOCAL_BYTES", default=16 * 1024 * 1024)
PUBLIC_CACHE_VERIFY_SECONDS = env.float("PUBLIC_CACHE_VERIFY_SECONDS", default=1.0)
# Besides the home page "/": the paths whose anonymous GETs may be served from the cache.
PUBLIC_CACHE_PATHS = (
    "/codes/",
    "/changes/",
    "/api/codes/",
    "/api/categories/",
    "/fhir/",
    "/sitemap.xml",
    "/robots.txt",
)

# Redis is the cache when there is one. IGNORE_EXCEPTIONS keeps pages and POSTs
# working while Redis is unreachable: a cache miss instead of a 500.
# https://github.com/jazzband/django-redis#memcached-exceptions-behavior
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cdtsite"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The site's local time: business days for question response times count in it.
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# django-environ 0.14 reads filemail:///abs/dir as the relative "abs/dir"; the documented
# form names an absolute directory.
if vars().get("EMAIL_FILE_PATH") and not EMAIL_FILE_PATH.startswith("/"):  # noqa: F821
    EMAIL_FILE_PATH = "/" + EMAIL_FILE_PATH  # noqa: F821
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CDT Codes <no-reply@cdt-codes.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Absolute links in emails and feeds are built from this when there is no request.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Django REST framework -------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, bounded: body size, nesting depth, no NUL or lone surrogates.
    "DEFAULT_PARSER_CLASSES": ["cdtsite.parsers.BoundedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cdtsite.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon_writes": env("THROTTLE_ANON_WRITES", default="30/min"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "CDT Codes community API",
    "DESCRIPTION": "Published CDT code pages, suggested edits and billing questions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets come from drf-spectacular-sidecar: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No badge fetched from the public validator: the docs page stays on our host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "CodeStatusEnum": "codes.models.Code.Status",
        "ReleaseStatusEnum": "contributions.releases.models.Release.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "codes.fhir.schema.restore_operation_dollar",
        "cdtsite.schema.postprocess",
    ],
}

# --- Abuse, input bounds and security headers ----------------------------------
# How many proxies in front of the site append to X-Forwarded-For. 0: the client is
# the address that connected (a forged header changes nothing).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Acknowledgements and receipts one address may receive, whoever asks for them.
THROTTLE_ACKS_PER_RECIPIENT = env("THROTTLE_ACKS_PER_RECIPIENT", default="10/hour")
# The HTML forms (URL names) whose POSTs count against THROTTLE_ANON_WRITES, in one
# bucket per client with the API's anonymous writes.
THROTTLED_FORM_VIEWS = frozenset(
    {
        "contributions:suggest",
        "contributions:ask-on-code",
        "contributions:contact",
        "contributions:track-submission",
    }
)
# Answers that carry a tracking token in their URL: never cached, referrer kept private.
PRIVATE_VIEWS = frozenset(
    {
        "contributions:track-submission",
        "contributions:track-question",
        "api-submission-track",
        "api-submission-withdraw",
        "api-question-track",
    }
)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=16)

# https://django-csp.readthedocs.io/en/latest/configuration.html (django-csp 4 format)
# Our own files only: no inline script or style anywhere on the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Powerful browser features the site never uses, off for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()"
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Admin sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one
# user name from one client, that pair is refused for LOGIN_COOLOFF_MINUTES.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "cdtsite.throttling.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_locked_out.html"

# --- Contributions ----------------------------------------------------------
# Separation of duties: whoever verified a suggestion may not also publish it.
CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS = env.bool("CONTRIBUTIONS_REQUIRE_TWO_REVIEWERS", default=True)
# How long a reviewer's claim on a submission lasts without being renewed.
CONTRIBUTIONS_CLAIM_SECONDS = env.int("CONTRIBUTIONS_CLAIM_SECONDS", default=20 * 60)

# --- Billing questions ------------------------------------------------------
# Business days skip weekends and this country's public holidays (python-holidays codes).
# https://holidays.readthedocs.io/
QUESTIONS_HOLIDAY_COUNTRY = env("QUESTIONS_HOLIDAY_COUNTRY", default="US")
# A question received on a weekend or holiday counts from this local time on the next business day.
QUESTIONS_DAY_STARTS = _time.fromisoformat(env("QUESTIONS_DAY_STARTS", default="09:00"))

# --- Celery ----------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without REDIS_URL an embedded broker (kombu's SQLAlchemy transport on a SQLite
# file under var/) lets a real worker run on a fresh machine with no server.
CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_RESULT_BACKEND = REDIS_URL or f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXPIRES = 3600
# Longer than any countdown or ETA the project uses, so Redis never re-delivers
# a task that is merely waiting. https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
# (Redis only: the embedded SQLAlchemy transport hands its options to create_engine.)
# Short socket timeouts: publishing to a paused Redis fails fast, and the outbox sweep
# delivers the event once it is back.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 6 * 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
    if REDIS_URL
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Re-enqueue outbox rows the broker never got (it was down) or whose task was lost.
    "notifications-sweep": {"task": "contributions.sweep_outbox", "schedule": 60.0},
    # Warn experts of questions past their target, and Expert leads past their due time.
    "questions-warn": {"task": "contributions.warn_questions", "schedule": 300.0},
    # The daily digest of waiting suggestions, at NOTIFICATIONS_DIGEST_HOUR site time.
    "notifications-digest": {
        "task": "contributions.send_submission_digest",
        "schedule": crontab(minute=0, hour=env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)),
    },
}

# --- Notifications (contributions.outbox) -------------------------------------
# Retries of a failed delivery: full-jitter exponential backoff, this many seconds times 2^n.
NOTIFICATIONS_RETRY_BACKOFF = env.float("NOTIFICATIONS_RETRY_BACKOFF", default=10.0)
# The longest wait between two attempts (must stay below the Redis visibility timeout).
NOTIFICATIONS_RETRY_BACKOFF_MAX = env.int("NOTIFICATIONS_RETRY_BACKOFF_MAX", default=600)
# Attempts after the first before a notification is marked failed (at most ~30 min of waits).
NOTIFICATIONS_MAX_RETRIES = env.int("NOTIFICATIONS_MAX_RETRIES", default=8)
# A pending row never handed to the broker is swept after this many seconds.
NOTIFICATIONS_SWEEP_AFTER = env.int("NOTIFICATIONS_SWEEP_AFTER", default=30)
# A free pending row whose task has shown no sign of life for this long is enqueued again
# (its task was lost). In a backlog longer than this, a spare task finds the row sent.
NOTIFICATIONS_STALE_AFTER = env.int("NOTIFICATIONS_STALE_AFTER", default=120)
# A sender's claim on a row lasts this long and is renewed every third of it while the
# worker lives; a killed worker's rows go out again once it runs out (the sweep, or at
# once when a worker of the same node name starts).
NOTIFICATIONS_CLAIM_SECONDS = env.int("NOTIFICATIONS_CLAIM_SECONDS", default=45)
# SMTP socket timeout, so a stuck mail server fails an attempt instead of a worker.
# https://docs.djangoproject.com/en/5.2/ref/settings/#email-timeout
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
