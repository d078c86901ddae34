"""Extension points the catalog owns, so other apps add to its pages without codes
importing them: an app registers a section in its AppConfig.ready(), and the code
page renders every registered section in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .models import Code


@dataclass(frozen=True)
class CodePageSection:
    anchor: str  # the section's id on the page, and its entry in "On this page"
    title: str
    template: str  # rendered with `code` and `section` (this section's context)
    context: Callable[[HttpRequest, Code], dict[str, Any]]


_SECTIONS: dict[str, CodePageSection] = {}


def code_page_section_register(section: CodePageSection) -> None:
    _SECTIONS[section.anchor] = section


def code_page_sections(request: HttpRequest, code: Code) -> list[dict[str, Any]]:
    """Each registered section with its context for this code, in registration order."""
    return [
        {
            "anchor": s.anchor,
            "title": s.title,
            "template": s.template,
            "context": s.context(request, code),
        }
        for s in _SECTIONS.values()
    ]
