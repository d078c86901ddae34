from django import forms

from cdtsite.forms import EMAIL_FORMAT, ENTER_EMAIL, GovukFormMixin


class QuestionForm(GovukFormMixin, forms.Form):
    """Ask a billing question (the code page's comments form and the contact page)."""

    required_messages = {
        "subject": "Enter a subject",
        "body": "Enter your question",
        "name": "Enter your name",
        "email": ENTER_EMAIL,
    }
    format_messages = {"email": EMAIL_FORMAT}
    # The order the page shows them in, so the error summary reads the same way.
    field_order = ("subject", "body", "code", "name", "email", "publish_consent")

    name = forms.CharField(label="Your name", max_length=120, required=False)
    email = forms.CharField(
        label="Your email",
        required=False,
        max_length=254,  # the stored field's size
        widget=forms.EmailInput,
        help_text="Private: the answer is sent here. It is never shown on the site.",
    )
    code = forms.CharField(
        label="Code (optional)",
        required=False,
        max_length=10,
        help_text="The CDT code your question is about, e.g. D0370 or 0370.",
    )
    subject = forms.CharField(label="Subject", max_length=200, required=False)
    body = forms.CharField(
        label="Your question", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    publish_consent = forms.BooleanField(
        label="The question and its answer may be shown on the code’s page "
        "(without my name or email).",
        required=False,
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
