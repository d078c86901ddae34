"""Billing questions, their audit rows and outbox notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

from contributions.core.tokens import token_new
from contributions.questions.business_days import add_business_days, business_hours_between

from .base import DAY, HOUR, NAMES, Batch, GeneratorBase


class QuestionRows(GeneratorBase):
    def questions(self, ids: list[int], moments: list[datetime]) -> Batch:
        rng, batch = self.rng, Batch()
        for pk, received in zip(ids, moments, strict=True):
            token, digest = token_new()
            name = rng.choice(NAMES)
            email = f"{name.split()[0].lower()}.q{pk}@example.org"
            code = rng.choice(self.codes) if rng.random() < 0.7 else None
            target, due = add_business_days(received, 1), add_business_days(received, 2)
            forced = self.question_states.pop() if self.question_states else None
            if forced:
                status = forced
            elif rng.random() < 0.03:
                status = "spam"
            elif self.waits(received, half_life_days=3):
                status = "new" if rng.random() < 0.4 else "assigned"
            else:
                old = (self.now - received).total_seconds() > 14 * DAY
                status = "closed" if old and rng.random() < 0.6 else "answered"
            expert = assigned_at = answered_at = closed_at = published_at = None
            events = [(received, "", "new", None, name)]
            if status in ("assigned", "answered", "closed") or (
                status == "spam" and rng.random() < 0.3
            ):
                expert = rng.choice(self.experts)
                assigned_at = self.later(received, most=4 * HOUR)
                events.append((assigned_at, "new", "assigned", expert, None))
            if status in ("answered", "closed"):
                # Most answers come within the promise; some late.
                answered_at = self.later(
                    assigned_at, most=(due - assigned_at).total_seconds() * 1.15
                )
                events.append((answered_at, "assigned", "answered", expert, None))
            if status == "closed":
                closed_at = self.later(answered_at)
                events.append((closed_at, "answered", "closed", expert, None))
            if status == "spam":
                events.append(
                    (
                        self.later(events[-1][0]),
                        events[-1][2],
                        "spam",
                        expert or rng.choice(self.experts),
                        None,
                    )
                )
            consent = rng.random() < 0.3
            published = consent and answered_at is not None and code is not None
            published = published and rng.random() < 0.3
            if published:
                published_at = self.later(answered_at)
            # The beat warns once when a waiting question passes its target or due time.
            settled = answered_at or (events[-1][0] if status == "spam" else self.now)
            target_warned = target + timedelta(minutes=3) if settled > target else None
            due_warned = due + timedelta(minutes=3) if settled > due else None
            if target_warned and target_warned > self.now:
                target_warned = None
            if due_warned and due_warned > self.now:
                due_warned = None
            answer = "Answer: " + self.text(30) if answered_at else ""
            batch.main.append(
                (
                    pk,
                    name,
                    email,
                    self.text(rng.randint(4, 10))[:200],
                    self.text(rng.randint(20, 60)),
                    code[0] if code else None,
                    "code_page" if code and rng.random() < 0.8 else rng.choice(("contact", "api")),
                    consent,
                    digest,
                    status,
                    received,
                    target,
                    due,
                    expert.id if expert else None,
                    assigned_at,
                    answered_at,
                    business_hours_between(received, answered_at) if answered_at else None,
                    answered_at,
                    expert.id if answered_at else None,
                    answer,
                    closed_at,
                    target_warned,
                    due_warned,
                    published,
                    published_at,
                )
            )
            for at, source, to_status, actor, label in events:
                batch.events.append(
                    (
                        pk,
                        actor.id if actor else None,
                        label or actor.username,
                        source,
                        to_status,
                        "",
                        at,
                    )
                )
            summary = {
                "question_id": pk,
                "subject": batch.main[-1][3],
                "code": code[1] if code else "",
                "target": target.isoformat(),
                "due": due.isoformat(),
            }
            admin = {"admin_url": self.question_admin.format(pk)}
            out = batch.notifications
            tracking = self.track_question.replace("TOKEN", token)
            self.notification(
                out,
                subject=(self.question_type, pk),
                event="question.ack",
                key=f"question.ack:{pk}",
                to=[(email, None)],
                context={**summary, "name": name, "tracking_url": tracking},
                at=received,
            )
            self.notification(
                out,
                subject=(self.question_type, pk),
                event="question.received",
                key=f"question.received:{pk}",
                to=[(s.email, s.id) for s in self.experts],
                context={**summary, **admin},
                at=received,
            )
            if answered_at:
                self.notification(
                    out,
                    subject=(self.question_type, pk),
                    event="question.answered",
                    key=f"question.answered:{pk}",
                    to=[(email, None)],
                    context={**summary, "name": name, "answer": answer},
                    at=answered_at,
                )
            if target_warned:
                warned = [expert] if expert and assigned_at < target_warned else self.experts
                self.notification(
                    out,
                    subject=(self.question_type, pk),
                    event="question.past_target",
                    key=f"question.past_target:{pk}",
                    to=[(s.email, s.id) for s in warned],
                    context={**summary, **admin},
                    at=target_warned,
                )
            if due_warned:
                self.notification(
                    out,
                    subject=(self.question_type, pk),
                    event="question.past_due",
                    key=f"question.past_due:{pk}",
                    to=[(s.email, s.id) for s in self.leads],
                    context={**summary, **admin},
                    at=due_warned,
                )
        return batch
