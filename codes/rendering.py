"""Code texts as HTML: a small Markdown subset, sanitised.

Code texts are written by the public (through reviewed suggestions) and by the importer,
so the HTML is built from a tiny Markdown subset and then cleaned by nh3 against an
allow-list, whatever the parser let through. Headings, images, code blocks and raw HTML
are not part of the subset: they stay plain text.
https://markdown-it-py.readthedocs.io/ · https://nh3.readthedocs.io/
"""

from __future__ import annotations

import html
import json
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Lists, emphasis, links and line breaks; the "zero" preset turns everything else off.
_md = MarkdownIt("zero", {"breaks": True, "html": False}).enable(
    ["list", "emphasis", "link", "autolink", "newline", "escape", "entity"]
)

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Links are the writers', not ours: no endorsement, no window.opener.
LINK_REL = "nofollow ugc noopener"


def markdown_to_html(text: str | None) -> SafeString:
    """The safe HTML of a code text (empty string for no text)."""
    if not text:
        return mark_safe("")  # noqa: S308 - a constant
    html = _md.render(str(text))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def markdown_to_plain(text: str | None) -> str:
    """The words of a code text without its Markdown marks (for meta descriptions)."""
    if not text:
        return ""
    # nh3 keeps the text escaped; the caller (a template) escapes it again.
    plain = html.unescape(nh3.clean(str(markdown_to_html(text)), tags=set()))
    return " ".join(plain.split())


# What json_script escapes, so a value cannot close the <script> element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> SafeString:
    """A `<script type="application/ld+json">` block: data, not script, so a
    Content-Security-Policy without inline scripts leaves it alone."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
