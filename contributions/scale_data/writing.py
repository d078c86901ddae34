"""Rows into tables fast: PostgreSQL COPY (psycopg 3), batched INSERTs elsewhere."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, models


class TableWriter:
    """Appends rows to one table: COPY on PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self, model: type[models.Model], names: Iterable[str], *, use_copy: bool):
        meta = model._meta
        self.fields = [meta.get_field(name) for name in names]
        self.json_positions = [
            i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]
        self.use_copy = use_copy
        qn = connection.ops.quote_name
        self.table = qn(meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)

    def write(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if self.use_copy:
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN"  # noqa: S608 - our names
                # Recipients of one event share one context object: encode it once.
                encoded: dict[int, str] = {}
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        if self.json_positions:
                            row = list(row)
                            for i in self.json_positions:
                                value = row[i]
                                text = encoded.get(id(value))
                                if text is None:
                                    text = encoded[id(value)] = json.dumps(value)
                                row[i] = text
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(
                    sql,
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(self.fields, row, strict=True)
                        ]
                        for row in rows
                    ],
                )
        return len(rows)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids taken from the table's own sequence, so a live site keeps inserting safely."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))
