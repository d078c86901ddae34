"""Indexes that only PostgreSQL has, declared so that SQLite still migrates."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db.migrations.operations import AddIndex
from django.db.models.functions import Upper


def trigram_indexes(**fields: str) -> list[GinIndex]:
    """A pg_trgm GIN index on UPPER(field) per `index_name=field`.

    The admin's search is `icontains`, which PostgreSQL runs as UPPER(col) LIKE '%…%':
    this index answers that without reading every row. Created by AddIndexOnPostgres.
    """
    return [
        GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)
        for name, field in fields.items()
    ]


class AddIndexOnPostgres(AddIndex):
    """AddIndex that does nothing on other databases (the embedded SQLite default)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgres(TrigramExtension):
    """CREATE EXTENSION pg_trgm; nothing on other databases, either way."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
