"""axe-core in a Playwright page: the npm package `axe-core` (package.json, `npm ci`).

https://github.com/dequelabs/axe-core/blob/develop/doc/API.md
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Phone and desktop widths the pages are checked at.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass
class AxeResult:
    url: str
    passes: int
    violations: list[dict]
    incomplete: list[dict]

    def problems(self) -> str:
        lines = []
        for kind, items in (("violation", self.violations), ("incomplete", self.incomplete)):
            for item in items:
                targets = "; ".join(", ".join(node["target"]) for node in item["nodes"][:5])
                lines.append(f"{kind} {item['id']} ({item['impact']}): {item['help']} at {targets}")
        return "\n".join(lines)


def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does) to install axe-core")
    return AXE_JS.read_text()


def axe_check(page: Page) -> AxeResult:
    """Run every axe rule that is not experimental on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol: the page's own
        # Content-Security-Policy (no inline scripts) stays on while axe checks it.
        page.evaluate("(source) => { (0, eval)(source); }", axe_source())
    raw = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
            const slim = (items) => items.map((i) => ({
                id: i.id, impact: i.impact, help: i.help,
                nodes: i.nodes.map((n) => ({target: n.target.map(String)}))
            }));
            return {passes: r.passes.length, violations: slim(r.violations),
                    incomplete: slim(r.incomplete)};
        }"""
    )
    return AxeResult(page.url, raw["passes"], raw["violations"], raw["incomplete"])
