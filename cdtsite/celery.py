"""The Celery app. Configured from Django settings (the CELERY_ prefix).

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")

app = Celery("cdtsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cdtsite.health", acks_late=False)
def health(token: str = "") -> dict:
    """A trivial task that proves a worker is consuming from the broker."""
    import socket

    return {"ok": True, "token": token, "host": socket.gethostname()}
