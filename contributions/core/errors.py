"""Domain errors: a message fit to show the user, and the HTTP status it means.

The API's exception handler (cdtsite.api) turns any of these into a JSON answer with
`status_code`; the admin shows `message`.
"""

from django.core.exceptions import PermissionDenied

from cdtsite.errors import DomainError


class WorkflowError(DomainError):
    """A workflow refused the change (HTTP 409 unless a subclass says otherwise)."""


class TransitionNotAllowed(WorkflowError):
    """Not possible from the current state (HTTP 409)."""


class NotPermitted(WorkflowError, PermissionDenied):
    """The actor may not make this change (HTTP 403)."""

    status_code = 403


class EditConflict(WorkflowError):
    """The code moved on since the proposal was made (HTTP 409, naming the fields)."""

    def __init__(self, message: str, fields: list[str]):
        super().__init__(message)
        self.fields = fields

    def extra(self) -> dict:
        return {"fields": self.fields}
