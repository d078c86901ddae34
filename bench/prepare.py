"""Staff credentials for the benchmark, made in the bench database (prints JSON).

    DJANGO_SETTINGS_MODULE=... python -m bench.prepare

A reviewer with a DRF token (the review queue API) and a superuser with a session
(the admin lists), made with the same settings the measured server runs with.
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from rest_framework.authtoken.models import Token

    users = get_user_model().objects
    reviewer, _ = users.get_or_create(
        username="bench-reviewer", defaults={"email": "bench-reviewer@example.invalid"}
    )
    reviewer.is_staff = True
    reviewer.save(update_fields=["is_staff"])
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    token, _ = Token.objects.get_or_create(user=reviewer)

    admin, _ = users.get_or_create(
        username="bench-admin", defaults={"email": "bench-admin@example.invalid"}
    )
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    # A signed-in session, stored wherever SESSION_ENGINE keeps sessions.
    client = Client()
    client.force_login(admin)
    cookie = settings.SESSION_COOKIE_NAME
    print(
        json.dumps(
            {
                "token": token.key,
                "cookie": f"{cookie}={client.cookies[cookie].value}",
                "middle_cursor": _middle_cursor(),
            }
        )
    )


def _middle_cursor() -> str:
    """The review queue's cursor at its middle row (?status=all, oldest first): the
    queue pages by keyset, so a deep page is reached by cursor, not by number."""
    from urllib.parse import parse_qs, urlsplit

    from rest_framework.pagination import Cursor

    from cdtsite.pagination import KeysetPagination
    from contributions.models import Submission

    rows = Submission.objects.order_by("created_at", "id")
    total = rows.count()
    if not total:
        return ""
    middle = rows.values_list("created_at", flat=True)[total // 2]
    paginator = KeysetPagination()
    paginator.base_url = "http://bench.invalid/api/review/submissions/?status=all"
    url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(middle)))
    return parse_qs(urlsplit(url).query)["cursor"][0]


if __name__ == "__main__":
    main()
