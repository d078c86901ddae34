"""The base of every domain error: a message for people and the HTTP status it means.

Domains raise subclasses (contributions.core.errors); the API's exception handler
(cdtsite.api) answers them in one place, so no view maps errors itself.
"""


class DomainError(Exception):
    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def extra(self) -> dict:
        """More keys for the JSON answer, beside "detail"."""
        return {}
