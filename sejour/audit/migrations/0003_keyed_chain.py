"""Key the journal's hash chain: entries from here on are sealed with HMAC-SHA256 under
SEJOUR_AUDIT_KEY, a key outside the database.

Entries already written keep their plain SHA-256 and stay verifiable as they are: nothing is
rewritten. When there are some, one entry `audit.chain_keyed` is appended after them, itself
keyed, naming how many there were and the hash of the last: `audit_verify` checks the entries
before it as they were written and every one from it on with the key. Someone without the key
can neither move that mark nor write another. The hash function is imported from
`sejour.audit.chain`, pure and kept compatible, so that this marker hashes as the checker does.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations
from django.utils import timezone

from sejour.audit.chain import KEYED_ACTION, entry_hash


def mark_the_keyed_chain(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    entries = AuditEntry.objects.using(schema_editor.connection.alias)
    head = entries.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return  # a new journal is keyed from its first entry
    if not settings.SEJOUR_AUDIT_KEY:
        raise ImproperlyConfigured("SEJOUR_AUDIT_KEY must be set to key the audit journal.")
    seq, prev_hash = head[0] + 1, head[1]
    now = timezone.now()
    data = {"unkeyed_entries": entries.count(), "unkeyed_head": prev_hash}
    digest = entry_hash(
        seq=seq,
        created_at=now,
        actor_id=None,
        on_behalf_of_id=None,
        action=KEYED_ACTION,
        target_type="",
        target_id="",
        data=data,
        ip=None,
        prev_hash=prev_hash,
        key=settings.SEJOUR_AUDIT_KEY.encode("utf-8"),
    )
    entries.create(
        seq=seq,
        created_at=now,
        action=KEYED_ACTION,
        target_type="",
        target_id="",
        data=data,
        prev_hash=prev_hash,
        hash=digest,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        # The journal only grows: going back leaves the mark where it is.
        migrations.RunPython(mark_the_keyed_chain, migrations.RunPython.noop, elidable=False),
    ]
