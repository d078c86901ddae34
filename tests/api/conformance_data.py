"""The data the schema run works on: the sample codes, a staff member with a token, and
suggestions, questions and releases in every state, so generated cases can reach real
objects (their ids, tracking tokens, editions and code numbers)."""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from codes.models import Code
from contributions.questions import services as questions
from contributions.releases import services as releases
from contributions.suggestions import services as suggestions
from tests.factories import UserFactory

STAFF_GROUPS = ("Reviewers", "Publishers", "Experts", "Expert leads")


@dataclass
class World:
    token: str
    ids: list[int] = field(default_factory=list)
    tracking_tokens: list[str] = field(default_factory=list)
    editions: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def _staff(username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=STAFF_GROUPS))
    return user


def _suggest(world: World, number: str, **changes) -> int:
    submission, token = suggestions.submission_create(
        code=number,
        changes=changes or {"billing_tips": f"A clearer tip for {number}."},
        rationale="Per the payer manual.",
        sources=["https://example.org/manual"],
        name="Pat Public",
        email="pat.public@example.net",
    )
    world.tracking_tokens.append(token)
    world.ids.append(submission.pk)
    return submission.pk


def _ask(world: World, subject: str) -> int:
    question, token = questions.question_create(
        name="Ann Asker",
        email="ann.asker@example.net",
        subject=subject,
        body="Can these two go on one claim?",
        code="D0370",
        publish_consent=True,
    )
    world.tracking_tokens.append(token)
    world.ids.append(question.pk)
    return question.pk


def _edition_file(edition: int) -> io.BytesIO:
    """The live code set with one code revised, one left out (deleted) and one added."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "nomenclature", "descriptor", "category"])
    codes = list(Code.objects.filter(status="active").select_related("category").order_by("code"))
    for index, code in enumerate(codes[1:]):
        nomenclature = f"{code.nomenclature} ({edition})" if index == 0 else code.nomenclature
        writer.writerow([code.code, nomenclature, code.descriptor, code.category.slug])
    writer.writerow([f"D09{edition % 100:02d}", "A new procedure", "What it is.", "diagnostic"])
    data = io.BytesIO(out.getvalue().encode())
    data.name = f"cdt{edition}.csv"
    return data


def world_make() -> World:
    call_command("load_sample_data", verbosity=0)
    staff, colleague = _staff("staff"), _staff("colleague")
    world = World(token=Token.objects.create(user=staff).key)
    world.codes = ["D0370", "d0371", "D0380", "D0999"]

    # Suggestions: submitted, verified by a colleague (staff may publish), verified by
    # staff (staff may not), published, rejected, withdrawn, and one for a new code.
    _suggest(world, "D0370")
    suggestions.submission_verify(submission_id=_suggest(world, "D0371"), actor=colleague)
    suggestions.submission_verify(submission_id=_suggest(world, "D0380"), actor=staff)
    published = _suggest(world, "D0381")
    suggestions.submission_verify(submission_id=published, actor=colleague)
    suggestions.submission_publish(submission_id=published, actor=staff)
    suggestions.submission_reject(submission_id=_suggest(world, "D0382"), actor=staff, reason="No.")
    _suggest(world, "D0383")
    suggestions.submission_withdraw(token=world.tracking_tokens[-1])
    _suggest(world, "D0998", nomenclature="A new procedure", category="diagnostic-imaging")

    # Questions: new, assigned, answered, answered and published, closed, spam.
    _ask(world, "New")
    questions.question_assign(question_id=_ask(world, "Assigned"), actor=staff)
    for subject in ("Answered", "Published", "Closed"):
        pk = _ask(world, subject)
        questions.question_assign(question_id=pk, actor=staff)
        questions.question_answer(question_id=pk, actor=staff, answer="Yes, with a note.")
        if subject == "Published":
            questions.question_publish(question_id=pk, actor=staff)
        if subject == "Closed":
            questions.question_close(question_id=pk, actor=staff)
    questions.question_mark_spam(question_id=_ask(world, "Spam"), actor=staff)

    # Releases: 2027 proposed, 2028 verified by a colleague (staff may publish).
    releases.release_import(path_or_file=_edition_file(2027), edition=2027)
    verified = releases.release_import(path_or_file=_edition_file(2028), edition=2028)
    releases.release_verify(release_id=verified.release.pk, actor=colleague)
    world.editions = [2027, 2028, 2026]
    return world
