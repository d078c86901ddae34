"""The public page of an edition's changes: /changes/<edition>/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .models import Release


def release_changes(request: HttpRequest, edition: int) -> HttpResponse:
    try:
        release = selectors.release_public(edition)
    except Release.DoesNotExist:
        raise Http404(f"No published release of CDT {edition}.") from None
    groups = selectors.release_changes_grouped(release)
    return render(
        request,
        "contributions/release_changes.html",
        {
            "release": release,
            "groups": groups,
            "rolled_back": release.status == Release.Status.ROLLED_BACK,
            "total": sum(len(g["changes"]) for g in groups),
        },
    )
