"""The response-time report page of the experts' admin (Expert leads)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from . import selectors
from .charts import weekly_chart_svg
from .workflow import REPORT as REPORT_PERM

REPORT_DAYS = 28
REPORT_MAX_DAYS = 731


class ReportForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError("The start date must not be after the end date.")
            if (end - start).days >= REPORT_MAX_DAYS:
                raise ValidationError(f"Choose a period of at most {REPORT_MAX_DAYS} days.")
        return data


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
        today = timezone.localdate()
        default = {"start": today - timedelta(days=REPORT_DAYS - 1), "end": today}
        form = ReportForm(request.GET if request.GET else None, initial=default)
        report = weeks = chart = None
        if not request.GET or form.is_valid():
            period = form.cleaned_data if request.GET else default
            report = selectors.response_report(start=period["start"], end=period["end"])
            weeks = selectors.weekly_response_numbers(start=period["start"], end=period["end"])
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
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/contributions/question/report.html", context)
