"""Forms of the public catalog pages."""

from __future__ import annotations

import re

from django import forms

from cdtsite.forms import GovukFormMixin

from .validation import MAX_CODES

_split_re = re.compile(r"[\s,;]+")


class ClaimCheckForm(GovukFormMixin, forms.Form):
    required_messages = {
        "date_of_service": "Enter the date of service, like 2026-06-01",
        "codes": "Enter the codes to check",
    }
    date_of_service = forms.DateField(
        label="Date of service",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 2026-06-01."},
    )
    codes = forms.CharField(
        label="Codes",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "D0370 D0360\nD0702"}),
        max_length=MAX_CODES * 40,
        help_text=f"Up to {MAX_CODES} codes, separated by spaces, commas or new lines.",
    )

    def clean_codes(self) -> list[str]:
        codes = [item for item in _split_re.split(self.cleaned_data["codes"]) if item]
        if not codes:
            raise forms.ValidationError("Enter at least one code.")
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(
                f"At most {MAX_CODES} codes in one check (this has {len(codes)})."
            )
        return codes
