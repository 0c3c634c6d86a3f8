"""Indexes for the back-office search of applicants by name, on PostgreSQL only.

`staff_search` matches a name as `UPPER(family_name::text) LIKE 'PREFIX%'` (`istartswith`),
which no plain index serves: on a million applicants each search read the whole table.

- `user_family_prefix_idx`, `user_given_prefix_idx`: the upper-cased names with
  `text_pattern_ops`, so a prefix becomes a range scan whatever the database's collation.
- `user_names_by_id_idx`: the names beside the id, so that while it walks the dossiers in
  order of risk, PostgreSQL checks each applicant's name from this index alone.
- `user_staff_name_idx`: the staff (a few thousand rows) by role and name, for the list of
  agents the queue page shows; without it a national supervisor's page read every applicant.

The two prefix indexes keep statistics on 1,000 values rather than 100, and the table is
analysed at the end: the planner's estimate of how many people have a name starting so decides
between walking the dossiers in order (frequent names) and starting from the names (rare
ones); with the default statistics it was often twice wrong, and chose the slower way.

Built CONCURRENTLY (the table stays writable while they are built), so this migration is not
atomic. On SQLite it does nothing.
"""

from django.db import migrations

INDEXES = {
    "user_family_prefix_idx": "(UPPER(family_name::text) text_pattern_ops)",
    "user_given_prefix_idx": "(UPPER(given_name::text) text_pattern_ops)",
    "user_names_by_id_idx": "(id) INCLUDE (family_name, given_name)",
    "user_staff_name_idx": "(role, family_name, given_name) WHERE role <> 'applicant'",
}
DETAILED_STATISTICS = ("user_family_prefix_idx", "user_given_prefix_idx")


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
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON accounts_user {definition}"
        )
    for name in DETAILED_STATISTICS:
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 1000")
    schema_editor.execute("ANALYZE accounts_user")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0003_user_date_of_birth_user_foreigner_number_and_more"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
