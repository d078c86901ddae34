"""The review workflow: every change to a submission goes through these functions.

Each one locks the submission row, checks the transition in suggestions.workflow,
writes the change and its audit event in one transaction, and lets side effects
leave only after the commit.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from cdtsite.locks import lock_code_number
from codes.models import CODE_PATTERN, EDITABLE_FIELDS, Code, CodeRevision
from codes.services import (
    CodeDataError,
    code_create,
    code_current_values,
    code_update,
    code_values_clean,
    normalize_code,
)
from contributions.core.errors import EditConflict, TransitionNotAllowed
from contributions.core.tokens import token_digest, token_new

from . import notifications
from .models import Submission, SubmissionEvent
from .stale import stale_flag
from .workflow import ensure_transition

NEW_CODE_FIELDS = (*EDITABLE_FIELDS, "category")
RATIONALE_MAX = 5000
SOURCES_MAX = 20
_url_validator = URLValidator(schemes=["http", "https"])


def _clean_submission(
    *,
    code: str,
    changes: Any,
    rationale: Any,
    sources: Any,
    name: Any,
    email: Any,
    base_revision: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    number = normalize_code(code)
    existing = Code.objects.filter(code=number).first()
    if not re.match(CODE_PATTERN, number):
        errors["code"] = ["A CDT code is the letter D and four digits, like D0370."]

    if not isinstance(changes, dict) or not changes:
        errors["changes"] = ["Propose a new value for at least one field."]
        changes = {}
    allowed = NEW_CODE_FIELDS if existing is None else EDITABLE_FIELDS
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        errors.setdefault("changes", []).append(
            f"These fields cannot be changed: {', '.join(unknown)}. Allowed: {', '.join(allowed)}."
        )
    if existing is None and "code" not in errors:
        missing = [f for f in ("nomenclature", "category") if not changes.get(f)]
        if missing:
            errors.setdefault("changes", []).append(
                f"{number} is not a code yet: a new code needs {' and '.join(missing)}."
            )

    clean_changes: dict[str, Any] = {}
    if "code" not in errors and changes and not unknown:
        try:
            cleaned = code_values_clean(code=number, values=changes)
        except CodeDataError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"changes.{field}"] = messages
        else:
            current = code_current_values(existing) if existing else {}
            for field in changes:
                value = cleaned[field]
                if existing is not None and current[field] == value:
                    continue
                clean_changes[field] = value.slug if field == "category" else value
            if not clean_changes:
                errors["changes"] = ["The proposed values are the same as the current text."]

    if existing is None:
        base = None
        if base_revision not in (None, ""):
            errors["base_revision"] = ["A proposed new code has no base revision."]
    elif base_revision in (None, ""):
        base = existing.revision
    else:
        try:
            base = int(base_revision)
        except (TypeError, ValueError):
            base = None
        if isinstance(base_revision, bool) or base is None or not 1 <= base <= existing.revision:
            errors["base_revision"] = [
                f"{number} has revisions 1 to {existing.revision}; “{base_revision}” is not one."
            ]

    rationale = str(rationale or "").strip()
    if not rationale:
        errors["rationale"] = ["Say why the change is right (this field is required)."]
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = [f"At most {RATIONALE_MAX} characters."]

    if sources in (None, ""):
        sources = []
    if isinstance(sources, str):
        sources = sources.split()
    if not isinstance(sources, list):
        errors["sources"] = ["A list of web addresses (http or https)."]
        sources = []
    elif len(sources) > SOURCES_MAX:
        errors["sources"] = [f"At most {SOURCES_MAX} sources."]
    clean_sources = []
    for url in sources:
        url = str(url).strip()
        try:
            _url_validator(url)
        except ValidationError:
            errors.setdefault("sources", []).append(f"“{url[:200]}” is not an http(s) address.")
        else:
            clean_sources.append(url)

    name = str(name or "").strip()
    if not name:
        errors["name"] = ["This field is required."]
    elif len(name) > 120:
        errors["name"] = ["At most 120 characters."]
    email = str(email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]

    if errors:
        raise ValidationError(errors)
    return {
        "existing": existing,
        "number": number,
        "changes": clean_changes,
        "base_revision": base,
        "rationale": rationale,
        "sources": clean_sources,
        "name": name,
        "email": email.lower(),
    }


@transaction.atomic
def submission_create(
    *,
    code: str,
    changes: Any,
    rationale: Any,
    sources: Any = None,
    name: Any,
    email: Any,
    base_revision: Any = None,
    user=None,
) -> tuple[Submission, str]:
    """Anyone -> submitted. Validates every field like the code's own fields.

    Returns the submission and its tracking token (shown once; only a digest is
    stored). Raises ValidationError keyed by field (`changes.<field>` for a bad
    proposed value).
    """
    data = _clean_submission(
        code=code,
        changes=changes,
        rationale=rationale,
        sources=sources,
        name=name,
        email=email,
        base_revision=base_revision,
    )
    token, digest = token_new()
    submission = Submission.objects.create(
        code=data["existing"],
        code_number=data["number"],
        is_new_code=data["existing"] is None,
        base_revision=data["base_revision"],
        changes=data["changes"],
        rationale=data["rationale"],
        sources=data["sources"],
        submitter_name=data["name"],
        submitter_email=data["email"],
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        token_digest=digest,
    )
    _event(submission, actor=None, label=data["name"], source="", note="", public=True)
    notifications.submission_received(submission, token=token)
    return submission, token


def submission_by_token(token: str) -> Submission:
    """The submission a tracking token opens; Submission.DoesNotExist otherwise."""
    return Submission.objects.select_related("code").get(token_digest=token_digest(token or ""))


def _event(submission, *, actor, label: str, source: str, note: str, public: bool):
    try:
        with transaction.atomic():
            return SubmissionEvent.objects.create(
                submission=submission,
                actor=actor,
                actor_label=label,
                from_status=source,
                to_status=submission.status,
                note=note,
                is_public=public,
            )
    except IntegrityError as exc:  # the state was entered already: a raced duplicate
        raise TransitionNotAllowed(
            "This suggestion has just been changed by someone else."
        ) from exc


def _locked(submission_id: int) -> Submission:
    try:
        return Submission.objects.select_for_update().get(pk=submission_id)
    except Submission.DoesNotExist:
        raise Submission.DoesNotExist(f"No suggestion #{submission_id}.") from None


def _record(submission: Submission, from_status: str, *, actor, note: str, public: bool) -> None:
    label = actor.get_username() if actor is not None else "submitter"
    _event(submission, actor=actor, label=label, source=from_status, note=note, public=public)


@transaction.atomic
def submission_verify(*, submission_id: int, actor, note: str = "") -> Submission:
    """submitted -> verified. Reviewers (verify_submission); never one's own.

    The note is internal (reviewers and publishers see it).
    """
    submission = _locked(submission_id)
    transition = ensure_transition(submission, action="verify", actor=actor)
    from_status, submission.status = submission.status, transition.target
    submission.verified_by, submission.verified_at = actor, timezone.now()
    submission.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    _record(submission, from_status, actor=actor, note=note.strip(), public=False)
    notifications.submission_verified(submission, actor=actor)
    return submission


@transaction.atomic
def submission_reject(*, submission_id: int, actor, reason: str) -> Submission:
    """submitted -> rejected (Reviewers) or verified -> rejected (Reviewers, Publishers).

    A reason is required; it is shown to the submitter.
    """
    reason = (reason or "").strip()
    submission = _locked(submission_id)
    transition = ensure_transition(submission, action="reject", actor=actor)
    if not reason:
        raise ValidationError({"reason": ["Say why the suggestion is rejected."]})
    from_status, submission.status = submission.status, transition.target
    submission.rejected_by, submission.rejected_at = actor, timezone.now()
    submission.rejection_reason = reason
    submission.save(
        update_fields=["status", "rejected_by", "rejected_at", "rejection_reason", "updated_at"]
    )
    _record(submission, from_status, actor=actor, note=reason, public=True)
    notifications.submission_rejected(submission)
    return submission


@transaction.atomic
def submission_withdraw(*, token: str, note: str = "") -> Submission:
    """submitted/verified -> withdrawn, by the submitter through the tracking link."""
    found = submission_by_token(token)
    submission = _locked(found.pk)
    transition = ensure_transition(submission, action="withdraw", actor=None)
    from_status, submission.status = submission.status, transition.target
    submission.withdrawn_at = timezone.now()
    submission.save(update_fields=["status", "withdrawn_at", "updated_at"])
    _record(submission, from_status, actor=None, note=note.strip()[:2000], public=True)
    return submission


def fields_changed_since(code: Code, revision: int) -> set[str]:
    changed: set[str] = set()
    for fields in CodeRevision.objects.filter(code=code, revision__gt=revision).values_list(
        "changed_fields", flat=True
    ):
        changed.update(fields)
    return changed


@transaction.atomic
def submission_publish(*, submission_id: int, actor, note: str = "") -> Submission:
    """verified -> published: the edit becomes the code's next revision.

    Publishers (publish_submission); not the verifier when two reviewers are
    required; never one's own. All or nothing: the code, its revision and the
    submission change together. Raises EditConflict naming the fields when the
    code changed them after the submission's base revision. Other open
    submissions touching the fields it changes are marked stale.
    """
    # One lock order for every publish: the code's row, then submissions' rows
    # (ours, then the stale ones); the reverse would deadlock two publishers.
    code_id = Submission.objects.filter(pk=submission_id).values_list("code_id", flat=True).first()
    if code_id is not None:
        list(Code.objects.select_for_update().filter(pk=code_id).values_list("pk", flat=True))
    submission = _locked(submission_id)
    transition = ensure_transition(submission, action="publish", actor=actor)
    publish_note = f"Published from suggestion #{submission.pk}."
    if submission.is_new_code:
        lock_code_number(submission.code_number)  # a rival publish of this number waits here
        if Code.objects.filter(code=submission.code_number).exists():
            raise EditConflict(
                f"{submission.code_number} exists now; the suggestion was for a new code.",
                ["code"],
            )
        code = code_create(
            code=submission.code_number,
            values=submission.changes,
            actor=actor,
            note=publish_note,
            source=submission,
        )
        revision = code.revisions.get()
    else:
        # Locked above: a concurrent publish waited there, and now sees its revision.
        code = Code.objects.get(pk=submission.code_id)
        moved = sorted(
            fields_changed_since(code, submission.base_revision) & set(submission.changes)
        )
        if moved:
            raise EditConflict(
                f"{code.code} changed after revision {submission.base_revision} in: "
                f"{', '.join(moved)}. Reject this suggestion or ask for a fresh one.",
                moved,
            )
        revision = code_update(
            code=code,
            changes=submission.changes,
            actor=actor,
            note=publish_note,
            source=submission,
        )
        if revision is None:
            raise EditConflict(
                f"{code.code} already shows the proposed text.", list(submission.changes)
            )
    submission.code = code
    from_status, submission.status = submission.status, transition.target
    submission.published_by, submission.published_at = actor, timezone.now()
    submission.save(update_fields=["code", "status", "published_by", "published_at", "updated_at"])
    _record(submission, from_status, actor=actor, note=note.strip(), public=True)
    _mark_stale(code=code, changed=set(revision.changed_fields), exclude=submission.pk)
    notifications.submission_published(submission)
    return submission


def _mark_stale(*, code: Code, changed: set[str], exclude: int) -> None:
    open_ones = (
        Submission.objects.select_for_update()
        .filter(code=code, status__in=Submission.OPEN_STATUSES)
        .exclude(pk=exclude)
        .order_by("pk")
    )
    for other in open_ones:
        overlap = changed & set(other.changes)
        if overlap:
            stale_flag(other, overlap)
