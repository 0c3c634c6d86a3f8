"""Indexes for the back-office search by name, on the dossier's own copy of the names (0006).

`staff_search` matches each word as the start of the family or the given name
(`UPPER(name::text) LIKE 'PREFIX%'`). Each index holds one upper-cased name with
`text_pattern_ops` (a prefix is a range, whatever the collation), then the prefecture, for
filed dossiers only: a rare name is a short range, read for the viewer's prefectures within
the index; a frequent one PostgreSQL finds sooner by walking `dossier_filed_order_idx` in
order of risk, checking the names on each row, with no join. Statistics on 1,000 values let
the planner tell the two apart.

Built CONCURRENTLY (the table stays writable while they are built), so this migration is not
atomic. On SQLite it does nothing.
"""

from django.db import migrations

FILED = "status <> 'draft'"
INDEXES = {
    "dossier_family_prefix_idx": (
        f"(UPPER(applicant_family_name::text) text_pattern_ops, prefecture_id) WHERE {FILED}"
    ),
    "dossier_given_prefix_idx": (
        f"(UPPER(applicant_given_name::text) text_pattern_ops, prefecture_id) WHERE {FILED}"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        # A build interrupted before leaves an invalid index behind: build it again.
        schema_editor.execute(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_index WHERE NOT indisvalid "
            f"AND indexrelid = to_regclass('{name}')) THEN DROP INDEX {name}; END IF; END $$"
        )
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_dossier {definition}"
        )
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 1000")
    schema_editor.execute("ANALYZE dossiers_dossier")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0006_applicant_names")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
