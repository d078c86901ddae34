"""Template filters for code texts: `{% load code_text %}`."""

from django import template

from codes.rendering import json_ld, markdown_to_html, markdown_to_plain

register = template.Library()


@register.filter
def markdown(text):
    """A code text as sanitised HTML (lists, emphasis, links)."""
    return markdown_to_html(text)


@register.filter
def markdown_plain(text):
    """A code text's words without Markdown marks."""
    return markdown_to_plain(text)


@register.filter(name="json_ld")
def json_ld_filter(data):
    """A dict as a JSON-LD script block, escaped like json_script."""
    return json_ld(data)
