"""How the catalog reaches the release workflow: its `--release` import and the
changes feed's one entry per release, through `codes.extensions`."""

from __future__ import annotations

from codes.extensions import ReleaseProvider, release_provider_register

from .models import Release
from .selectors import release_change_sets
from .services import release_import


def releases_connect() -> None:
    """Called by ContributionsConfig.ready()."""
    release_provider_register(
        ReleaseProvider(
            import_=release_import,
            source_model=Release,
            change_sets=release_change_sets,
        )
    )
