"""Suggested edits, their audit rows and outbox notifications."""

from __future__ import annotations

from datetime import datetime

from codes.models import EDITABLE_FIELDS
from contributions.core.tokens import token_new

from .base import NAMES, Batch, GeneratorBase


class SuggestionRows(GeneratorBase):
    def submissions(self, ids: list[int], moments: list[datetime]) -> Batch:
        rng, batch = self.rng, Batch()
        for pk, created in zip(ids, moments, strict=True):
            token, digest = token_new()
            name = rng.choice(NAMES)
            email = f"{name.split()[0].lower()}{pk}@example.org"
            # The first rows take each state once, so even a small set has every state.
            forced = self.submission_states.pop() if self.submission_states else None
            is_new = not forced and rng.random() < 0.02
            if is_new:
                code_id, number, base = None, rng.choice(self.free_numbers), None
                changes = {
                    "nomenclature": self.text(5),
                    "category": rng.choice(self.category_slugs),
                }
            else:
                code_id, number, base = rng.choice(self.codes)
                changes = self.changes(number)
            if self.waits(created):
                status = "submitted" if rng.random() < 0.65 else "verified"
            else:
                status = rng.choices(("published", "rejected", "withdrawn"), (45, 40, 15))[0]
            status = forced or status
            if is_new and status == "published":
                status = "rejected"  # publishing a new code would create it
            verifier = publisher = rejecter = None
            verified_at = published_at = rejected_at = withdrawn_at = None
            reason = ""
            events = [(created, "", "submitted", None, name, "", True)]
            if status in ("verified", "published") or (
                status in ("rejected", "withdrawn") and rng.random() < 0.3
            ):
                verifier = rng.choice(self.reviewers)
                verified_at = self.later(created)
                events.append((verified_at, "submitted", "verified", verifier, None, "", False))
            last = verified_at or created
            if status == "published":
                choices = [p for p in self.publishers if p.id != verifier.id] or self.publishers
                publisher = rng.choice(choices)
                published_at = self.later(last)
                events.append((published_at, "verified", "published", publisher, None, "", False))
            elif status == "rejected":
                rejecter = rng.choice(self.reviewers)
                rejected_at = self.later(last)
                reason = "Rejected: " + self.text(8)
                events.append(
                    (rejected_at, events[-1][2], "rejected", rejecter, None, reason, True)
                )
            elif status == "withdrawn":
                withdrawn_at = self.later(last)
                events.append(
                    (withdrawn_at, events[-1][2], "withdrawn", None, "submitter", "", True)
                )
            stale = status in ("submitted", "verified") and not is_new and rng.random() < 0.05
            batch.main.append(
                (
                    pk,
                    code_id,
                    number,
                    is_new,
                    base,
                    changes,
                    f"{self.text(rng.randint(8, 30))} See {number}.",
                    [f"https://example.org/cdt/{number.lower()}/{pk % 97}"],
                    name,
                    email,
                    None,
                    digest,
                    status,
                    sorted(changes)[:1] if stale else [],
                    stale,
                    verifier.id if verifier else None,
                    verified_at,
                    publisher.id if publisher else None,
                    published_at,
                    rejecter.id if rejecter else None,
                    rejected_at,
                    reason,
                    withdrawn_at,
                    created,
                    events[-1][0],
                )
            )
            for at, source, target, actor, label, note, public in events:
                batch.events.append(
                    (
                        pk,
                        actor.id if actor else None,
                        label or actor.username,
                        source,
                        target,
                        note,
                        public,
                        at,
                    )
                )
            self.submission_notifications(batch, pk, number, is_new, changes, email, token, events)
        return batch

    def changes(self, number: str) -> dict:
        fields = self.rng.sample(EDITABLE_FIELDS, self.rng.randint(1, 3))
        values = {}
        for name in fields:
            if name == "related_codes":
                others = [c[1] for c in self.codes if c[1] != number] or [number]
                values[name] = sorted(self.rng.sample(others, min(2, len(others))))
            else:
                values[name] = self.text(6 if name == "nomenclature" else 25)
        return values

    def submission_notifications(self, batch, pk, number, is_new, changes, email, token, events):
        summary = {"submission_id": pk, "code": number, "is_new_code": is_new}
        summary["fields"] = sorted(changes)
        admin = {"admin_url": self.submission_admin.format(pk)}
        submitter = [(email, None)]
        name = events[0][4]  # the first event's label is the submitter's name
        out = batch.notifications
        common = {"subject": (self.submission_type, pk), "out": out}
        for at, _source, target, actor, _label, note, _public in events:
            if target == "submitted":
                to = [(s.email, s.id) for s in self.reviewers]
                self.notification(
                    event="submission.received",
                    key=f"submission.received:{pk}",
                    to=to,
                    context={**summary, **admin},
                    at=at,
                    **common,
                )
                tracking = self.track_submission.replace("TOKEN", token)
                self.notification(
                    event="submission.receipt",
                    key=f"submission.receipt:{pk}",
                    to=submitter,
                    context={**summary, "name": name, "tracking_url": tracking},
                    at=at,
                    **common,
                )
            elif target == "verified":
                to = [(s.email, s.id) for s in self.publishers if s.id != actor.id]
                self.notification(
                    event="submission.verified",
                    key=f"submission.verified:{pk}",
                    to=to,
                    context={**summary, **admin},
                    at=at,
                    **common,
                )
            elif target in ("published", "rejected"):
                extra = {"name": name, "reason": note} if target == "rejected" else {"name": name}
                self.notification(
                    event=f"submission.{target}",
                    key=f"submission.{target}:{pk}",
                    to=submitter,
                    context={**summary, **extra, "code_url": f"{self.site}/codes/{number}/"},
                    at=at,
                    **common,
                )

    # --- billing questions -----------------------------------------------------------
