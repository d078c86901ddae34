"""Transaction-scoped locks on names that have no row yet.

`select_for_update()` cannot lock a code that does not exist: two publishers of
the same new code would both find it missing, and the second insert would fail on
the unique index (a 500). A PostgreSQL advisory lock on the number serializes
them; the second then finds the code and is refused with a conflict (409).
SQLite takes its write lock when a transaction starts, which serializes them already.
"""

from __future__ import annotations

from django.db import connection

# The advisory lock's first key: this project's namespace for CDT code numbers.
CODE_NUMBER_NAMESPACE = 0x0CD7


def lock_code_number(number: str) -> None:
    """Hold a lock on `number` until the current transaction ends (call inside one)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CODE_NUMBER_NAMESPACE, number]
        )
