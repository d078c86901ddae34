"""Extension points between the workflows, so that no domain imports another.

A domain that publishes code revisions (a yearly release) announces them here
inside its transaction; a domain that cares (suggestions flag the open ones those
revisions make stale and tell their submitters) registers a listener in
ContributionsConfig.ready(). The publisher knows no listener, the listener no
publisher: both know only this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# listener(revisions=[CodeRevision], source=the object that published them)
RevisionsListener = Callable[..., None]

_LISTENERS: dict[str, RevisionsListener] = {}


def revisions_published_listen(name: str, listener: RevisionsListener) -> None:
    """Register `listener` under `name` (registering a name again replaces it)."""
    _LISTENERS[name] = listener


def revisions_published(*, revisions: Sequence[Any], source: Any) -> None:
    """Tell every listener, in the caller's transaction: a listener's failure
    rolls the publish back, so nothing is published that was not followed up."""
    for listener in _LISTENERS.values():
        listener(revisions=revisions, source=source)
