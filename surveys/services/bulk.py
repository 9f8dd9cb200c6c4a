"""Inserting many plain rows at once: COPY on PostgreSQL, bulk_create elsewhere.

For the few writes that handle tens of thousands of rows (an import's answers, the audit rows of a set-based
approval): building a model instance and an INSERT statement per row is what made them slow.
"""

from django.db import connection

from ..models import AuditEvent

AUDIT_COLUMNS = (
    "kind",
    "submission_id",
    "organization_id",
    "actor_id",
    "subject",
    "old_value",
    "new_value",
    "note",
    "created_at",
)


def rows_insert(
    model, columns: tuple[str, ...], rows: list[tuple], *, json_columns: tuple[str, ...] = ()
) -> None:
    """Insert plain rows (tuples under `columns`) into a model's table; `json_columns` hold Python values."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    from psycopg.types.json import Jsonb

    wrap = [index for index, column in enumerate(columns) if column in json_columns]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if wrap:
                row = list(row)
                for index in wrap:
                    row[index] = None if row[index] is None else Jsonb(row[index])
            copy.write_row(row)


def audit_rows_insert(rows: list[tuple]) -> None:
    """Append audit rows (tuples under AUDIT_COLUMNS); the log stays append-only (INSERT is all it does)."""
    rows_insert(AuditEvent, AUDIT_COLUMNS, rows, json_columns=("old_value", "new_value"))
