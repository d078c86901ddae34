"""Database connections: persistent and health-checked by default; PgBouncer by env vars."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = (
    "import json, django.conf as c; d = c.settings.DATABASES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], "
    "d['DISABLE_SERVER_SIDE_CURSORS']]))"
)
ENV_NAMES = ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS")


def _database_settings(module: str, **env) -> list:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", SNIPPET],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": module,
            "SECRET_KEY": "p" * 40 + "0123456789abcdefghij",
            "ALLOWED_HOSTS": "cdt.example.org",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_connections_persist_with_health_checks_by_default():
    for module in ("cdtsite.settings.production", "cdtsite.settings.dev"):
        assert _database_settings(module) == [60, True, False]


def test_pgbouncer_transaction_pooling_is_set_from_the_environment():
    found = _database_settings(
        "cdtsite.settings.production",
        CONN_MAX_AGE="0",
        DISABLE_SERVER_SIDE_CURSORS="true",
    )
    assert found == [0, True, True]
    assert _database_settings("cdtsite.settings.production", CONN_HEALTH_CHECKS="false")[1] is False
