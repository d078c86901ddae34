"""The Celery app. Configured from Django settings (the CELERY_ prefix).

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery

# Production unless told otherwise: a deployment that forgets DJANGO_SETTINGS_MODULE must
# not run with DEBUG on and a published key (manage.py defaults to development instead).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.production")

app = Celery("cdtsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cdtsite.health", acks_late=False)
def health(token: str = "") -> dict:
    """A trivial task that proves a worker is consuming from the broker."""
    import socket

    return {"ok": True, "token": token, "host": socket.gethostname()}
