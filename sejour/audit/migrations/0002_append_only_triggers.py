"""Make the journal append-only in the database itself: UPDATE, DELETE (and TRUNCATE) refused.

The SQL is written out here, not imported, so that this migration keeps doing what it did
when the app changes. On SQLite, a later migration that remakes the table (most ALTERs do)
drops these triggers with the old table and must create them again.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit journal is append-only'); END;
    """,
    """
    CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit journal is append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete;",
]

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit journal is append-only'
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Entries are appended by sejour.audit.services.record() and never changed.';
    END;
    $$;
    """,
    """
    CREATE TRIGGER audit_auditentry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
    """,
    """
    CREATE TRIGGER audit_auditentry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update_or_delete ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
}


def _statements(schema_editor, direction):
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"The audit journal cannot be made append-only on {vendor}.")
    return STATEMENTS[vendor][direction]


def create_triggers(apps, schema_editor):
    for sql in _statements(schema_editor, 0):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in _statements(schema_editor, 1):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
