"""The silence clock as the law reads it: a request pauses it for the difference of its two
dates (asked on 10 January, answered on 25 January: 15 days, where one more was counted
before), and a request still open leaves the due date unknown, paused since it was sent.

The pending dossiers asked for documents are read again; the calendar comes from
`sejour.rules`, pure functions that migrations may import.
"""

from django.db import migrations, models

from sejour.rules.dates import paris_date
from sejour.rules.decisions import IMPLICIT_DECISION_MONTHS, Pause, implicit_decision_date

PENDING = ("submitted", "in_review", "awaiting_applicant")


def reread_the_clock(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DocumentRequest = apps.get_model("dossiers", "DocumentRequest")
    asked = DocumentRequest.objects.filter(dossier__status__in=PENDING)
    ids = set(asked.values_list("dossier_id", flat=True))
    for dossier in Dossier.objects.filter(pk__in=ids, submitted_at__isnull=False).select_related(
        "permit_type"
    ):
        requests = list(asked.filter(dossier_id=dossier.pk))
        months = (
            dossier.permit_type.implicit_decision_months if dossier.permit_type else None
        ) or IMPLICIT_DECISION_MONTHS
        due = implicit_decision_date(
            complete_on=paris_date(dossier.submitted_at),
            delay_months=months,
            pauses=[
                Pause(asked_on=paris_date(r.requested_at), answered_on=paris_date(r.answered_at))
                for r in requests
                if r.answered_at is not None
            ],
        )
        open_since = min(
            (paris_date(r.requested_at) for r in requests if r.answered_at is None), default=None
        )
        paused = dossier.status == "awaiting_applicant" and open_since is not None
        if paused and open_since < due:
            dossier.decision_due_on, dossier.decision_paused_since = None, open_since
        else:
            dossier.decision_due_on, dossier.decision_paused_since = due, None
        dossier.save(update_fields=["decision_due_on", "decision_paused_since"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_appointment_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="decision_paused_since",
            field=models.DateField(
                blank=True, null=True, verbose_name="decision clock paused since"
            ),
        ),
        migrations.RunPython(reread_the_clock, migrations.RunPython.noop, elidable=True),
    ]
