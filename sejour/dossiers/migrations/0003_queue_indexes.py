"""Indexes for the work queue and the search of the back-office, on PostgreSQL only.

Both list dossiers in `risk_order` (permit end, decision due, filing date, changed first, id;
NULLs last), for a prefecture's agents or for a national supervisor. Without an index in that
order PostgreSQL sorted every dossier in scope to show the first 50 (or 100).

- `dossier_queue_order_idx`: a prefecture's waiting dossiers (submitted, in review, awaiting
  the applicant), in risk order: the default queue page reads its first 50 entries.
- `dossier_national_queue_order_idx`: the same for every prefecture, for a national supervisor.
- `dossier_filed_order_idx`: a prefecture's filed dossiers (anything but drafts) in risk
  order, for a search by a frequent name: the 100 most at risk are found early in this order.
- `dossier_waiting_status_idx`: the waiting dossiers' status and decision due date, so that a
  national supervisor's counts (per queue, overdue, the paginator's) read this small index
  rather than every dossier. A prefecture's counts read `dossier_queue_idx`.

Built CONCURRENTLY (the table stays writable while they are built), so this migration is not
atomic. On SQLite it does nothing.
"""

from django.db import migrations

ORDER = "permit_expires_on, decision_due_on, submitted_at, needs_attention DESC, id"
WAITING = "status IN ('submitted', 'in_review', 'awaiting_applicant')"
INDEXES = {
    "dossier_queue_order_idx": f"(prefecture_id, {ORDER}) WHERE {WAITING}",
    "dossier_national_queue_order_idx": f"({ORDER}) WHERE {WAITING}",
    "dossier_filed_order_idx": f"(prefecture_id, {ORDER}) WHERE status <> 'draft'",
    "dossier_waiting_status_idx": f"(status, decision_due_on) WHERE {WAITING}",
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


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0002_decision_documentrequest_note_dossier_agent_seen_at_and_more"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
