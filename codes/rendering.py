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
import threading
from collections import OrderedDict
from collections.abc import Callable
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


class Memo:
    """A pure function's results, least recently used first out, bounded by the
    characters kept (`size` of argument and result): code pages show the same published
    texts to every reader, and rendering them (Markdown and nh3, or a template) costs
    more than the rest of the page. Keyed by the whole input, so never stale."""

    def __init__(
        self, function: Callable[[Any], str], max_chars: int, size: Callable[[Any], int] = len
    ):
        self._function, self._max_chars, self._size = function, max_chars, size
        self._results: OrderedDict[Any, tuple[str, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def __call__(self, argument: Any) -> str:
        with self._lock:
            found = self._results.get(argument)
            if found is not None:
                self._results.move_to_end(argument)
                return found[0]
        result = self._function(argument)
        chars = self._size(argument) + len(result)
        if chars > self._max_chars:
            return result
        with self._lock:
            if argument not in self._results:
                self._results[argument] = (result, chars)
                self._chars += chars
                while self._chars > self._max_chars:
                    _argument, (_result, evicted) = self._results.popitem(last=False)
                    self._chars -= evicted
        return result


def _html(text: str) -> SafeString:
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def _plain(text: str) -> str:
    # nh3 keeps the text escaped; the caller (a template) escapes it again.
    plain = html.unescape(nh3.clean(str(_html_memo(text)), tags=set()))
    return " ".join(plain.split())


# A whole catalog's texts (a few MB) fit, so a crawler's sweep renders each text once.
_html_memo = Memo(_html, max_chars=8_000_000)
_plain_memo = Memo(_plain, max_chars=2_000_000)


def markdown_to_html(text: str | None) -> SafeString:
    """The safe HTML of a code text (empty string for no text)."""
    if not text:
        return mark_safe("")  # noqa: S308 - a constant
    return _html_memo(str(text))


def markdown_to_plain(text: str | None) -> str:
    """The words of a code text without its Markdown marks (for meta descriptions)."""
    if not text:
        return ""
    return _plain_memo(str(text))


# What json_script escapes, so a value cannot close the <script> element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any]) -> SafeString:
    """A `<script type="application/ld+json">` block: data, not script, so a
    Content-Security-Policy without inline scripts leaves it alone."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
