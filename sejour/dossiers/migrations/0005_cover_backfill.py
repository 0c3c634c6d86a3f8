"""Renewals filed before the continuity sweep existed: cover them as the filing would have."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

from sejour.rules.attestations import RENEWAL_LEAD_DAYS, extension_due
from sejour.rules.dates import add_days, paris_date
from sejour.rules.filing import filing_timeliness

PENDING = ("submitted", "in_review", "awaiting_applicant")


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    today = timezone.localdate()
    rows = Dossier.objects.filter(
        status__in=PENDING,
        procedure__kind="renewal",
        permit_expires_on__isnull=False,
        submitted_at__isnull=False,
        cover_basis="",
    ).select_related("permit_type")
    changed = []
    for dossier in rows.iterator(chunk_size=2000):
        anef = dossier.permit_type.is_anef if dossier.permit_type_id else True
        timeliness = filing_timeliness(
            filed_on=paris_date(dossier.submitted_at), expiry=dossier.permit_expires_on, anef=anef
        )
        if not extension_due(timeliness=timeliness, complete=True):
            continue
        first = add_days(dossier.permit_expires_on, 1)
        dossier.cover_basis = "right"
        dossier.cover_next_on = max(today, first - dt.timedelta(days=RENEWAL_LEAD_DAYS))
        changed.append(dossier)
        if len(changed) == 2000:
            Dossier.objects.bulk_update(changed, ["cover_basis", "cover_next_on"])
            changed = []
    Dossier.objects.bulk_update(changed, ["cover_basis", "cover_next_on"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_dossier_cover")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
