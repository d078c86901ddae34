"""Word-level diffs of a code's text, for reviewers."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_token_re = re.compile(r"\s+|[^\s]+")


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def word_diff(old, new) -> tuple[SafeString, SafeString]:
    """(old with removals marked, new with insertions marked), HTML-escaped."""
    a, b = _token_re.findall(as_text(old)), _token_re.findall(as_text(new))
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(before)
            right.append(after)
            continue
        if before:
            left.append(f"<del>{before}</del>")
        if after:
            right.append(f"<ins>{after}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - parts escaped above
