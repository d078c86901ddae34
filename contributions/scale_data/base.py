"""What suggestions and questions share: the staff, times, texts and outbox rows."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from codes.models import Category, Code
from contributions.models import Question, Submission

SPAN = timedelta(days=730)
HOUR = 3600.0
DAY = 24 * HOUR
WORDS = (
    "billing claim payer narrative radiograph image interpretation ultrasound cone beam "
    "panoramic evaluation periodic limited comprehensive report frequency limitation "
    "documentation chart tooth quadrant arch patient plan benefit denial appeal code "
    "descriptor nomenclature medical dental coverage review source manual edition"
).split()
NAMES = ("Alex Kim", "Maria Lopez", "Sam Patel", "Jordan Lee", "Chris Novak", "Dana Reyes")
FAILURE = "SMTPServerDisconnected: Connection unexpectedly closed"


class ScaleDataError(Exception):
    """The database cannot take generated data yet (e.g. no codes)."""


@dataclass
class Staff:
    id: int
    username: str
    email: str


@dataclass
class Batch:
    """Rows of one batch, per table, as tuples in the writer's field order."""

    main: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    notifications: list[tuple] = field(default_factory=list)


def _staff(group_name: str, prefix: str, count: int = 2) -> list[Staff]:
    """The group's members with an address; made up (unusable passwords) when it has none."""
    users = (
        get_user_model()
        .objects.filter(groups__name=group_name, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )
    found = [Staff(u.pk, u.get_username(), u.email.lower()) for u in users]
    if found:
        return found
    group = Group.objects.filter(name=group_name).first()
    made = []
    for n in range(1, count + 1):
        username = f"scale-{prefix}-{n}"
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.invalid", "is_staff": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if group is not None:
            user.groups.add(group)
        made.append(Staff(user.pk, username, user.email.lower()))
    return made


def _url_template(name: str) -> str:
    return reverse(name, args=[987654321]).replace("987654321", "{}")


class GeneratorBase:
    def __init__(self, *, seed: int | None, now: datetime):
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
        self.now = now
        self.texts: dict[int, list[str]] = {}
        self.submission_states = ["submitted", "verified", "published", "rejected", "withdrawn"]
        self.question_states = ["new", "assigned", "answered", "closed", "spam"]
        self.codes = list(Code.objects.order_by("code").values_list("id", "code", "revision"))
        if not self.codes:
            raise ScaleDataError("There are no codes yet: run load_sample_data or import_codes.")
        numbers = {c[1] for c in self.codes}
        self.free_numbers = [f"D{n:04d}" for n in range(10000) if f"D{n:04d}" not in numbers]
        self.category_slugs = list(Category.objects.values_list("slug", flat=True)) or ["misc"]
        self.reviewers = _staff("Reviewers", "reviewer")
        self.publishers = _staff("Publishers", "publisher")
        self.experts = _staff("Experts", "expert")
        self.leads = _staff("Expert leads", "lead")
        # Each outbox row names what it is about (Notification.subject).
        self.submission_type = ContentType.objects.get_for_model(Submission).pk
        self.question_type = ContentType.objects.get_for_model(Question).pk
        self.site = settings.SITE_URL
        self.submission_admin = self.site + _url_template("admin:contributions_submission_change")
        self.question_admin = self.site + _url_template("admin:contributions_question_change")
        self.track_submission = self.site + reverse(
            "contributions:track-submission", args=["TOKEN"]
        )
        self.track_question = self.site + reverse("contributions:track-question", args=["TOKEN"])

    # --- shared pieces ---------------------------------------------------------------

    def text(self, words: int) -> str:
        # Drawn from a pool made once: joining fresh words for millions of rows is slow.
        pool = self.texts.get(words)
        if pool is None:
            pool = self.texts[words] = [
                " ".join(self.rng.choices(WORDS, k=words)).capitalize() + "." for _ in range(500)
            ]
        return self.rng.choice(pool)

    def times(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        """`count` sorted moments in [start, end): ids then follow time, as in real use."""
        seconds = (end - start).total_seconds()
        return sorted(start + timedelta(seconds=self.rng.random() * seconds) for _ in range(count))

    def later(self, moment: datetime, most: float = 5 * DAY) -> datetime:
        """A moment after `moment`, at most `most` seconds later and never in the future."""
        room = (self.now - moment).total_seconds()
        step = min(self.rng.uniform(600, most), room * self.rng.uniform(0.2, 0.9))
        return moment + timedelta(seconds=max(step, 0.001))

    def waits(self, moment: datetime, half_life_days: float = 40.0) -> bool:
        """Whether an item from `moment` is still waiting: most recent ones, a tail of old."""
        age = (self.now - moment).total_seconds() / DAY
        return self.rng.random() < 0.6 * math.exp(-age / half_life_days) + 0.04

    def notification(
        self,
        out: list[tuple],
        *,
        event: str,
        key: str,
        to: Iterable[tuple[str, int | None]],
        context: dict,
        at: datetime,
        subject: tuple[int, int] | None = None,
    ) -> None:
        subject_type, subject_id = subject or (None, None)
        rng = self.rng
        recent = (self.now - at).total_seconds() < 600
        for email, user_id in to:
            roll = rng.random()
            state = "pending" if (recent and roll < 0.5) or roll < 0.005 else "sent"
            if state == "sent" and roll > 0.99:
                state = "failed"
            sent_at = at + timedelta(seconds=rng.uniform(0.2, 20)) if state == "sent" else None
            row_context = context
            if state == "sent" and "tracking_url" in context:
                row_context = {k: v for k, v in context.items() if k != "tracking_url"}
            out.append(
                (
                    event,
                    key,
                    email,
                    user_id,
                    subject_type,
                    subject_id,
                    row_context,
                    state,
                    {"pending": 0, "sent": 1, "failed": 9}[state],
                    FAILURE if state == "failed" else "",
                    at,
                    at,
                    None if state == "pending" else sent_at or at + timedelta(hours=2),
                    sent_at,
                    at + timedelta(hours=2) if state == "failed" else None,
                )
            )

    # --- suggestions -----------------------------------------------------------------
