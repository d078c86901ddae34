"""The layout's rules, measured by bin/architecture.py: imports point one way."""

import importlib.util
import itertools
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parent.parent / "bin" / "architecture.py"
_spec = importlib.util.spec_from_file_location("architecture", _path)
architecture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(architecture)


@pytest.fixture(scope="module")
def graph():
    return architecture.imports()


def test_the_import_graph_is_read(graph):
    # The measure itself must see imports, or the rules below would pass on nothing.
    assert "contributions.suggestions.services" in graph["contributions.suggestions.apis"]
    assert "codes.services" in graph["contributions.suggestions.services"]


def test_no_import_circles_anywhere(graph):
    assert architecture.circles(graph) == []


def test_a_planted_circle_is_found():
    assert architecture.circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]


def test_the_catalog_imports_nothing_from_the_workflows(graph):
    assert architecture.catalog_imports_from_workflows(graph) == []


DOMAINS = ("suggestions", "questions", "releases")


@pytest.mark.parametrize("domain", DOMAINS)
def test_notifications_know_no_domain(graph, domain):
    outbox_side = [m for m in graph if m.startswith("contributions.notifications")]
    assert not [
        (m, t) for m in outbox_side for t in graph[m] if t.startswith(f"contributions.{domain}")
    ]


def test_the_domains_do_not_import_each_other(graph):
    crossing = [
        (source, target)
        for source, targets in graph.items()
        for target in targets
        for a, b in itertools.permutations(DOMAINS, 2)
        if source.startswith(f"contributions.{a}") and target.startswith(f"contributions.{b}")
    ]
    assert crossing == []


def test_every_file_reads_in_one_sitting():
    assert max(lines for lines, _ in architecture.largest_files(1)) <= 500


# The project's wiring sits on top and may import every app; the rest of cdtsite/ is
# shared infrastructure (cache, throttling, errors, pagination, …) that the apps import.
WIRING = {"cdtsite.urls", "cdtsite.api_urls", "cdtsite.wsgi", "cdtsite.asgi", "cdtsite.celery"}


def test_shared_infrastructure_imports_no_app(graph):
    infrastructure = [m for m in graph if m.startswith("cdtsite") and m not in WIRING]
    assert not [
        (m, t)
        for m in infrastructure
        for t in graph[m]
        if t.split(".")[0] in ("codes", "contributions")
    ]
