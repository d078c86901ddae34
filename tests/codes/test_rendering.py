"""Code texts render a small Markdown subset, sanitised whatever the input."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from codes.rendering import Memo, json_ld, markdown_to_html, markdown_to_plain

REL = 'rel="nofollow ugc noopener"'
ALLOWED = {
    "p": set(),
    "br": set(),
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "em": set(),
    "strong": set(),
    "a": {"href", "title", "rel"},
}


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """The elements a browser would build from the HTML (tag, attributes)."""
    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {name: value or "" for name, value in attrs}))

        def handle_comment(self, data):
            found.append(("!--", {}))

    Collector().feed(html)
    return found


def test_hyphen_lines_become_a_list_after_a_paragraph():
    html = markdown_to_html("Before you bill:\n- one unit per visit\n- both sides count once")
    assert html == (
        "<p>Before you bill:</p>\n<ul>\n<li>one unit per visit</li>\n"
        "<li>both sides count once</li>\n</ul>\n"
    )


def test_numbered_lists_emphasis_and_line_breaks():
    html = markdown_to_html("3. first *soft* and **hard**\n4. second\n\nline one\nline two")
    assert '<ol start="3">' in html
    assert "<em>soft</em>" in html and "<strong>hard</strong>" in html
    assert "<p>line one<br>\nline two</p>" in html


def test_links_are_marked_as_user_content_and_not_followed():
    html = markdown_to_html("See [the guide](https://example.org/g?a=1&b=2) or <https://x.org>.")
    assert f'<a href="https://example.org/g?a=1&amp;b=2" {REL}>the guide</a>' in html
    assert f'<a href="https://x.org" {REL}>https://x.org</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        '<a href="https://evil.example" onclick="steal()">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '[x](https://ok.example "t" onmouseover="alert(1)")',
        "<style>body{display:none}</style>",
        "<!-- comment --><svg onload=alert(1)>",
        '*<b onclick="x">bold</b>*',
        "[x](&#106;avascript:alert(1))",
    ],
)
def test_hostile_input_never_becomes_markup(hostile):
    elements = _elements(markdown_to_html(f"Text {hostile} more"))
    for tag, attrs in elements:
        assert tag in ALLOWED, (tag, hostile)
        assert set(attrs) <= ALLOWED[tag], (tag, attrs)
        if tag == "a":
            assert attrs["rel"] == "nofollow ugc noopener"
            assert attrs.get("href", "https://").startswith(("http://", "https://", "mailto:"))


def test_headings_images_and_html_stay_text():
    html = markdown_to_html("# Big\n\n![pic](https://x.org/p.png)\n\n<h2>h</h2>")
    assert "<h1" not in html and "<img" not in html and "<h2" not in html
    assert "# Big" in html and "&lt;h2&gt;" in html


def test_empty_text_is_empty():
    assert markdown_to_html("") == "" and markdown_to_html(None) == ""


def test_plain_text_drops_the_marks():
    assert markdown_to_plain("- one *two*\n- [three](https://x.org) & <b>") == (
        "one two three & <b>"
    )


def test_template_filters():
    template = Template("{% load code_text %}{{ text|markdown }}|{{ text|markdown_plain }}")
    rendered = template.render(Context({"text": "*a* <i> & b"}))
    assert rendered == "<p><em>a</em> &lt;i&gt; &amp; b</p>\n|a &lt;i&gt; &amp; b"


def test_json_ld_cannot_close_its_script_element():
    block = json_ld({"name": "</script><script>alert(1)</script> & <!--"})
    assert block.count("</script>") == 1 and "<!--" not in block
    payload = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(payload) == {"name": "</script><script>alert(1)</script> & <!--"}


def test_a_text_is_rendered_once_and_then_served_from_memory():
    text = "Rendered once:\n- *one* list"
    first = markdown_to_html(text)
    assert markdown_to_html(str(text)) is first  # the same object: not rendered again
    assert markdown_to_plain(text) is markdown_to_plain(text)


def test_the_rendered_texts_kept_are_bounded_by_characters():
    calls = []

    def upper(text):
        calls.append(text)
        return text.upper()

    memo = Memo(upper, max_chars=20)
    assert memo("abcde") == "ABCDE"  # 10 characters kept
    memo("fghij")  # 20
    memo("abcde")  # a hit: abcde is now the most recently used
    memo("klmno")  # 30 > 20: the least recently used (fghij) goes
    assert calls == ["abcde", "fghij", "klmno"]
    memo("abcde")
    memo("fghij")
    assert calls == ["abcde", "fghij", "klmno", "fghij"]
    assert memo._chars <= 20
    memo("x" * 11)  # larger than the whole bound: returned, never kept
    assert "x" * 11 not in memo._results and memo._chars <= 20
