"""Local development: `make run`. Safe defaults only because DEBUG is on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if (
    DEBUG
    and "rest_framework.renderers.BrowsableAPIRenderer"
    not in REST_FRAMEWORK[  # noqa: F405
        "DEFAULT_RENDERER_CLASSES"
    ]
):
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(  # noqa: F405
        "rest_framework.renderers.BrowsableAPIRenderer"
    )
