"""The deploy entry points default to production settings; manage.py to development."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    clean.pop("SECRET_KEY", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", ["cdtsite.wsgi", "cdtsite.asgi", "cdtsite.celery"])
def test_entry_point_without_settings_refuses_to_run_with_development_values(module):
    result = _run(f"import {module}; import django.conf as c; c.settings.INSTALLED_APPS")
    assert result.returncode != 0
    # Production settings refuse the missing key rather than fall back to a published one.
    assert "SECRET_KEY must be set" in result.stderr


def test_entry_point_names_production_settings_by_default():
    result = _run(
        "import os, cdtsite.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])",
    )
    assert result.stdout.strip() == "cdtsite.settings.production"


def test_manage_py_stays_on_development_settings():
    result = _run(
        "import runpy, sys; sys.argv = ['manage.py', 'diffsettings', '--all'];"
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG = True" in result.stdout


def test_the_wsgi_entry_point_loads_every_view_then_freezes_the_startup_heap():
    # The cyclic collector's full pass over the startup heap was a ~80 ms pause on a
    # request; frozen, that heap is never walked again.
    result = _run(
        "import gc, sys, cdtsite.wsgi;"
        "print(gc.get_freeze_count(), 'contributions.suggestions.apis' in sys.modules)",
        DJANGO_SETTINGS_MODULE="cdtsite.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000
    assert views_loaded == "True"
