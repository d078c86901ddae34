"""The response-time report page of the experts' admin (Expert leads)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import selectors
from .charts import weekly_chart_svg
from .workflow import REPORT as REPORT_PERM

REPORT_DAYS = 28
ISO_DATE = "%Y-%m-%d"
REPORT_MAX_DAYS = 731


def _iso_date_input() -> forms.DateInput:
    # Not type="date": the browser would show the date in its own locale's format, and
    # the inputs should read the same as the report's heading (YYYY-MM-DD).
    return forms.DateInput(
        format=ISO_DATE,
        attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 10},
    )


class ReportForm(forms.Form):
    """The report's period; the reports API reads its `from` and `to` through this form."""

    start = forms.DateField(input_formats=[ISO_DATE], widget=_iso_date_input())
    end = forms.DateField(input_formats=[ISO_DATE], widget=_iso_date_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("start", "The start date must not be after the end date.")
            elif (end - start).days >= REPORT_MAX_DAYS:
                self.add_error("start", f"Choose a period of at most {REPORT_MAX_DAYS} days.")
        return data


def report_period(data) -> ReportForm:
    """The period asked for in `data` (start, end), defaulting to the last REPORT_DAYS
    days, as a bound form: valid, or with its errors by field."""
    today = timezone.localdate()
    values = {
        "start": (today - timedelta(days=REPORT_DAYS - 1)).strftime(ISO_DATE),
        "end": today.strftime(ISO_DATE),
    }
    values.update({key: value for key, value in data.items() if key in values})
    return ReportForm(values)


class ReportViewMixin:
    """Adds the report's URL and view to the questions' ModelAdmin."""

    def report_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name=f"{info[0]}_{info[1]}_report",
            )
        ]

    def report_view(self, request):
        if not request.user.has_perm(REPORT_PERM):
            raise PermissionDenied
        form = report_period(request.GET)
        report = weeks = chart = None
        if form.is_valid():
            period, now = form.cleaned_data, timezone.now()
            report, weeks = selectors.response_numbers(
                start=period["start"], end=period["end"], now=now
            )
            chart = weekly_chart_svg(
                weeks,
                title=f"Questions per ISO week, {period['start']:%Y-%m-%d} to "
                f"{period['end']:%Y-%m-%d}",
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Response-time report",
            "form": form,
            "report": report,
            "weeks": weeks,
            "chart": chart,
            "api_url": (
                f"{reverse('api-question-report')}?from={report['start']:%Y-%m-%d}"
                f"&to={report['end']:%Y-%m-%d}"
                if report
                else ""
            ),
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/contributions/question/report.html", context)
