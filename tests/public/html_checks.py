"""Reading a rendered page the way assistive technology does: ids and references."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if "id" in values:
            self.ids.append(values["id"])


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def dangling_references(html: str) -> list[str]:
    """Every aria-describedby / aria-labelledby / label-for / #fragment link whose id is missing."""
    page = parse(html)
    ids = set(page.ids)
    missing = []
    for tag, attrs in page.elements:
        for name in ("aria-describedby", "aria-labelledby"):
            missing += [
                f"{tag}[{name}]={ref}" for ref in attrs.get(name, "").split() if ref not in ids
            ]
        if tag == "label" and attrs.get("for") and attrs["for"] not in ids:
            missing.append(f"label[for]={attrs['for']}")
        href = attrs.get("href", "") if tag == "a" else ""
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            missing.append(f"a[href]={href}")
    return missing


def duplicate_ids(html: str) -> list[str]:
    seen: set[str] = set()
    return [i for i in parse(html).ids if i in seen or seen.add(i)]
