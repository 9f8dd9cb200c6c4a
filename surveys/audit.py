"""Database-level guard for the append-only audit log (PostgreSQL).

The model and its QuerySet already refuse updates and deletes, and the admin is read-only; this trigger also
refuses them for raw SQL and other clients. Install it from a migration (`migrations.RunPython`) or a shell:

    from django.db import connection
    from surveys.audit import install_audit_guard
    install_audit_guard(connection)

TRUNCATE (used by test database flushes) is not affected.
"""

AUDIT_TABLE = "surveys_auditevent"

INSTALL_SQL = f"""
CREATE OR REPLACE FUNCTION milepost_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % is not allowed on {AUDIT_TABLE}.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS milepost_audit_append_only ON {AUDIT_TABLE};
CREATE TRIGGER milepost_audit_append_only
    BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION milepost_audit_append_only();
"""

UNINSTALL_SQL = f"""
DROP TRIGGER IF EXISTS milepost_audit_append_only ON {AUDIT_TABLE};
DROP FUNCTION IF EXISTS milepost_audit_append_only();
"""


def install_audit_guard(connection) -> bool:
    """Create the trigger; returns False (and does nothing) on databases other than PostgreSQL."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(INSTALL_SQL)
    return True


def uninstall_audit_guard(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(UNINSTALL_SQL)
    return True
