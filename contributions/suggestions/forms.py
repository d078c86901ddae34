from django import forms

from cdtsite.forms import EMAIL_FORMAT, ENTER_EMAIL, GovukFormMixin
from codes.models import FIELD_LABELS, Code


class SuggestForm(GovukFormMixin, forms.Form):
    """The public suggest-an-edit form, prefilled with the code's current text.

    Only the fields the visitor changed become the submission's `changes`;
    every value is validated by contributions.services, like the API's.
    """

    base_revision = forms.IntegerField(widget=forms.HiddenInput)
    nomenclature = forms.CharField(label=FIELD_LABELS["nomenclature"], required=False)
    descriptor = forms.CharField(
        label=FIELD_LABELS["descriptor"], required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=FIELD_LABELS["body"], required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    documentation = forms.CharField(
        label=FIELD_LABELS["documentation"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    billing_tips = forms.CharField(
        label=FIELD_LABELS["billing_tips"], required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    related_codes = forms.CharField(
        label=FIELD_LABELS["related_codes"],
        required=False,
        help_text="Codes separated by spaces, e.g. D0371 D0391.",
    )
    rationale = forms.CharField(
        label="Why is this change right?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what is wrong or missing and what the sources say.",
        required=False,
    )
    sources = forms.CharField(
        label="Sources",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Web addresses (http or https), one per line.",
    )
    name = forms.CharField(label="Your name", max_length=120, required=False)
    email = forms.CharField(
        label="Your email",
        required=False,
        max_length=254,  # the stored field's size
        help_text="Private: used only to tell you what happens to your suggestion.",
        widget=forms.EmailInput,
    )
    # A field people cannot see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    required_messages = {
        "rationale": "Say why this change is right",
        "name": "Enter your name",
        "email": ENTER_EMAIL,
    }
    format_messages = {"email": EMAIL_FORMAT}
    non_field_errors_target = "nomenclature"

    EDIT_FIELDS = (
        "nomenclature",
        "descriptor",
        "body",
        "documentation",
        "billing_tips",
        "related_codes",
    )

    @classmethod
    def initial_for(cls, code: Code) -> dict:
        initial = {name: getattr(code, name) for name in cls.EDIT_FIELDS if name != "related_codes"}
        initial["related_codes"] = " ".join(c.code for c in code.related_codes.all())
        initial["base_revision"] = code.revision
        return initial

    def changes_against(self, initial: dict) -> dict:
        """The edited fields only (compared with what the form was prefilled with)."""
        changes = {}
        for name in self.EDIT_FIELDS:
            value = self.cleaned_data.get(name, "")
            if _normal(value) != _normal(initial.get(name, "")):
                changes[name] = value.split() if name == "related_codes" else value
        return changes

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = key.split(".", 1)[1] if key.startswith("changes.") else key
            if field not in self.fields or field in ("base_revision", "website", "changes", "code"):
                field = None
            for message in messages:
                self.add_error(field, message)


def _normal(value) -> str:
    return " ".join(str(value or "").split())
