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


# --- Yearly releases ---------------------------------------------------------------
# The catalog compares an edition's code file with itself (codes.code_sets); turning
# that into a release to review and publish is the release workflow's business. It
# registers here, and `import_codes --release` and the changes feed call through.


@dataclass(frozen=True)
class ChangeSet:
    """Revisions published together (a yearly release): one entry in the changes feed."""

    guid: str
    title: str
    link: str
    description: str
    published_at: Any  # an aware datetime


@dataclass(frozen=True)
class ReleaseProvider:
    # import_(path_or_file=, edition=, effective_on=, progress=) -> an object with
    # `summary` (one line) and `release_url`; raises CodeImportError or ValidationError.
    import_: Callable[..., Any]
    # The CodeRevision.source model whose revisions the feed shows as one entry each.
    source_model: Any
    # change_sets(limit) -> the newest ChangeSets, newest first.
    change_sets: Callable[[int], list[ChangeSet]]


_RELEASES: list[ReleaseProvider] = []


def release_provider_register(provider: ReleaseProvider) -> None:
    _RELEASES[:] = [provider]


def release_provider() -> ReleaseProvider | None:
    return _RELEASES[0] if _RELEASES else None
