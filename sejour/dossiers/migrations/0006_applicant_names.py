"""The applicant's names on each dossier, kept by the database, for the back-office search.

Searching by name used to join every dossier walked to its applicant's row; on a large base a
name of middling frequency made PostgreSQL walk thousands of dossiers and applicants for 100
results. With the names on the dossier, one index (0007) finds them directly.

The database keeps the copy: a trigger fills it when a dossier is inserted, another follows
any change of the applicant's names, on PostgreSQL and SQLite alike, whatever code writes.
Existing dossiers are filled here, in one statement: with 0007, under five minutes for a
million dossiers on a 2-core machine (`bench/search.py`'s base); run VACUUM ANALYZE after.
"""

from django.db import migrations, models

POSTGRESQL_FORWARD = """
CREATE FUNCTION dossiers_dossier_names_on_insert() RETURNS trigger AS $$
BEGIN
    NEW.applicant_family_name := coalesce(
        (SELECT family_name FROM accounts_user WHERE id = NEW.applicant_id), '');
    NEW.applicant_given_name := coalesce(
        (SELECT given_name FROM accounts_user WHERE id = NEW.applicant_id), '');
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_dossier_names_on_insert BEFORE INSERT ON dossiers_dossier
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossier_names_on_insert();

CREATE FUNCTION dossiers_applicant_renamed() RETURNS trigger AS $$
BEGIN
    UPDATE dossiers_dossier
    SET applicant_family_name = NEW.family_name, applicant_given_name = NEW.given_name
    WHERE applicant_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_applicant_renamed AFTER UPDATE OF family_name, given_name
    ON accounts_user FOR EACH ROW
    WHEN (OLD.family_name IS DISTINCT FROM NEW.family_name
          OR OLD.given_name IS DISTINCT FROM NEW.given_name)
    EXECUTE FUNCTION dossiers_applicant_renamed();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS dossiers_applicant_renamed ON accounts_user;
DROP FUNCTION IF EXISTS dossiers_applicant_renamed();
DROP TRIGGER IF EXISTS dossiers_dossier_names_on_insert ON dossiers_dossier;
DROP FUNCTION IF EXISTS dossiers_dossier_names_on_insert();
"""
SQLITE_FORWARD = (
    """
    CREATE TRIGGER dossiers_dossier_names_on_insert AFTER INSERT ON dossiers_dossier
    FOR EACH ROW BEGIN
        UPDATE dossiers_dossier
        SET applicant_family_name = coalesce(
                (SELECT family_name FROM accounts_user WHERE id = NEW.applicant_id), ''),
            applicant_given_name = coalesce(
                (SELECT given_name FROM accounts_user WHERE id = NEW.applicant_id), '')
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER dossiers_applicant_renamed AFTER UPDATE OF family_name, given_name
    ON accounts_user FOR EACH ROW
    WHEN OLD.family_name IS NOT NEW.family_name OR OLD.given_name IS NOT NEW.given_name
    BEGIN
        UPDATE dossiers_dossier
        SET applicant_family_name = NEW.family_name, applicant_given_name = NEW.given_name
        WHERE applicant_id = NEW.id;
    END
    """,
)
SQLITE_BACKWARD = (
    "DROP TRIGGER IF EXISTS dossiers_applicant_renamed",
    "DROP TRIGGER IF EXISTS dossiers_dossier_names_on_insert",
)
FILL = """
UPDATE dossiers_dossier
SET applicant_family_name = coalesce((SELECT family_name FROM accounts_user
                                      WHERE accounts_user.id = dossiers_dossier.applicant_id), ''),
    applicant_given_name = coalesce((SELECT given_name FROM accounts_user
                                     WHERE accounts_user.id = dossiers_dossier.applicant_id), '')
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    schema_editor.execute(FILL)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_search_indexes"),
        ("dossiers", "0005_cover_backfill"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_family_name",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=150,
                verbose_name="applicant's family name",
            ),
        ),
        migrations.AddField(
            model_name="dossier",
            name="applicant_given_name",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=150,
                verbose_name="applicant's given name",
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
