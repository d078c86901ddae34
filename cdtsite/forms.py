"""Public forms after the GOV.UK Design System's error pattern.

https://design-system.service.gov.uk/components/error-summary/
https://design-system.service.gov.uk/components/error-message/

The services validate every value (the API's rules); a form only says what went wrong
in words that tell the visitor what to do, and lists every error in one summary.
Templates: includes/error_summary.html and includes/form_field.html.
"""

from __future__ import annotations

ENTER_EMAIL = "Enter your email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


class GovukFormMixin:
    """Mark required fields and phrase their errors as instructions.

    `required_messages`: field -> what to do when it is left empty ("Enter your name").
    Those fields are marked required (label and `aria-required`), though the service,
    not the form, enforces it, so that one submit reports every problem at once.
    `format_messages`: field -> what to do when a value given is not valid.
    `non_field_errors_target`: the field a form-wide error links to.
    """

    required_messages: dict[str, str] = {}
    format_messages: dict[str, str] = {}
    non_field_errors_target: str | None = None
    # WCAG 1.3.5 (Identify Input Purpose): the browser may fill these in.
    autocomplete = {"name": "name", "email": "email"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.required_messages:
            field = self.fields[name]
            field.marked_required = True
            field.widget.attrs["aria-required"] = "true"
        for name, token in self.autocomplete.items():
            if name in self.fields:
                self.fields[name].widget.attrs.setdefault("autocomplete", token)

    def add_error(self, field, error):
        if field in self.required_messages and self._blank(field):
            if self.required_messages[field] in self.errors.get(field, []):
                return
            error = self.required_messages[field]
        elif field in self.format_messages and not self._blank(field):
            if self.format_messages[field] in self.errors.get(field, []):
                return
            error = self.format_messages[field]
        super().add_error(field, error)

    def _blank(self, name: str) -> bool:
        return not str(self.data.get(self.add_prefix(name), "") or "").strip()

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(id of the field to go to, message) for every error, in the page's order."""
        if not self.errors:
            return []
        target = self.non_field_errors_target or next(
            (bf.name for bf in self if not bf.is_hidden), None
        )
        anchor = self[target].auto_id if target else ""
        items = [(anchor, str(message)) for message in self.non_field_errors()]
        for bound in self:
            for message in bound.errors:
                items.append(("" if bound.is_hidden else bound.auto_id, str(message)))
        return items
