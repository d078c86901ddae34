"""One table of actions per workflow, read by services, admin, API and URLs alike.

A row says: the action's name, the states it starts from, the state it leads to,
the permissions that allow it (any one; none means the sender through their
tracking link), the service that makes it and the inputs that service takes.
Each domain keeps its table in its own `workflow.py`; rules a table cannot say
(separation of duties, who may assign to whom) live beside it in that module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .errors import NotPermitted, TransitionNotAllowed, WorkflowError


@dataclass(frozen=True)
class Input:
    """One value an action's service takes besides the object and the actor."""

    name: str
    required: bool = False
    max_length: int = 5000
    # "text" arrives as a string; "user" as a user's id (the API) or a chosen user (admin).
    kind: str = "text"
    help: str = ""


NOTE = Input("note", help="An internal note, kept in the audit trail.")
REASON = Input("reason", required=True, help="Why; shown to the sender.")


@dataclass(frozen=True)
class Action:
    name: str
    sources: tuple[str, ...]
    target: str  # "" leaves the state as it is (publishing an answered question, say)
    permissions: tuple[str, ...]
    service: str  # a function of the domain's services module
    inputs: tuple[Input, ...] = ()
    label: str = ""
    past: str = ""  # "verified": for messages ("cannot be verified", "3 verified")
    # How the admin shows the button: "primary", "default" or "danger" (destructive).
    style: str = "default"
    # What a state the action does not start from says, when the table's wording won't do.
    refusal: str = ""
    # Refuses with a message when the object is not fit for the action (beyond its state).
    condition: Callable[[Any], str | None] | None = field(default=None, compare=False)

    @property
    def by_sender(self) -> bool:
        return not self.permissions


class ActionTable:
    """The rows of one workflow, with the checks every caller shares."""

    def __init__(
        self,
        noun: str,
        *rows: Action,
        id_argument: str,
        refusal: str = "A {status} {noun} cannot be {past}.",
    ):
        self.noun = noun  # "suggestion": for messages
        self.rows = rows
        self.id_argument = id_argument  # the service's keyword for the object's id
        self.refusal = refusal  # what a state that does not allow the action says

    def names(self, *, staff: bool = True) -> list[str]:
        seen: list[str] = []
        for row in self.rows:
            if row.name not in seen and (not staff or not row.by_sender):
                seen.append(row.name)
        return seen

    def first(self, name: str) -> Action:
        for row in self.rows:
            if row.name == name:
                return row
        raise TransitionNotAllowed(f"Unknown action “{name}”.")

    def find(self, status: str, name: str) -> Action | None:
        for row in self.rows:
            if row.name == name and status in row.sources:
                return row
        return None

    def ensure(self, obj, *, name: str, actor, status_label: str) -> Action:
        """The row `actor` (None: the sender) may apply to `obj` now, or raise why not.

        Checks the action exists, the actor holds one of its permissions, the
        object's state allows it and the row's condition; domain rules come after.
        """
        rows = [row for row in self.rows if row.name == name]
        if not rows:
            raise TransitionNotAllowed(f"Unknown action “{name}”.")
        past = rows[0].past or name
        if actor is not None:
            perms = {p for row in rows for p in row.permissions}
            if not perms or not any(actor.has_perm(p) for p in perms):
                raise NotPermitted(f"You may not {name} {self.noun}s.")
        row = self.find(obj.status, name)
        if row is None:
            template = rows[0].refusal or self.refusal
            raise TransitionNotAllowed(
                template.format(status=status_label, noun=self.noun, past=past)
            )
        if actor is None and not row.by_sender:
            raise NotPermitted(f"Only staff may {name} a {self.noun}.")
        if actor is not None and not any(actor.has_perm(p) for p in row.permissions):
            raise NotPermitted(f"You may not {name} a {status_label} {self.noun}.")
        if row.condition is not None:
            refusal = row.condition(obj)
            if refusal:
                raise TransitionNotAllowed(refusal)
        return row

    def available(self, obj, actor, ensure: Callable[..., Action]) -> list[Action]:
        """The staff actions `actor` may take on `obj` now, through the domain's `ensure`."""
        found = []
        for name in self.names(staff=True):
            try:
                found.append(ensure(obj, action=name, actor=actor))
            except WorkflowError:
                continue
        return found

    def call(self, services: ModuleType, *, name: str, pk: int, actor, data: dict[str, Any]):
        """Run the service of action `name` on object `pk` with the inputs found in `data`."""
        row = self.first(name)
        values = {i.name: data[i.name] for i in row.inputs if data.get(i.name) is not None}
        service = getattr(services, row.service)
        return service(**{self.id_argument: pk}, actor=actor, **values)
