"""The database guard on the journal, and the one way to lift it for a block of work.

Migration 0002 installs triggers that refuse UPDATE and DELETE of entries (and TRUNCATE on
PostgreSQL), whatever the client. `journal_unlocked()` lifts them inside one transaction:
for tests that simulate tampering with raw SQL, and for `flush` outside production. It has
no place in application code.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from sejour.audit.models import AuditEntry


@contextmanager
def journal_unlocked(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the enclosed block with the journal's triggers lifted, in a transaction.

    On PostgreSQL the table's triggers are disabled (the table's owner only may do this) and
    its deferred foreign-key checks run at once; on SQLite the triggers are dropped and created
    again from their own stored SQL. If the block raises, the transaction rolls back and the
    triggers are back as they were.
    """
    connection = connections[using]
    table = AuditEntry._meta.db_table
    quoted = connection.ops.quote_name(table)
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            exists = table in connection.introspection.table_names(cursor)
        if not exists:
            yield
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # ALTER TABLE refuses while the table has pending deferred checks (its foreign
                # keys, after an insert in this transaction): run them now, and keep them
                # immediate through the block so none are pending when the triggers come back.
                cursor.execute(
                    "SELECT conname FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND condeferred",
                    [quoted],
                )
                deferred = ", ".join(connection.ops.quote_name(name) for (name,) in cursor)
                if deferred:
                    cursor.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
                cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")
            yield
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")
                if deferred:
                    cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
        else:
            yield
