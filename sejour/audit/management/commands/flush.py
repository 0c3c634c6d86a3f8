"""Django's `flush`, made aware of the append-only journal.

The journal's triggers refuse DELETE and TRUNCATE, and `flush` is how Django empties the
database between transactional tests (pytest-django `transaction=True`, `live_server`). Outside
production this command lifts the triggers for the flush; in production it refuses outright,
because the journal is never emptied.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from sejour.audit.triggers import journal_unlocked


class Command(flush.Command):
    help = (
        "Removes ALL DATA from the database, the audit journal included; "
        "refused in production, where the journal is append-only."
    )

    def handle(self, **options: Any) -> None:
        if getattr(settings, "SEJOUR_ENV", "production") == "production":
            raise CommandError("The audit journal is append-only: flush is refused in production.")
        database = options["database"]
        # Asked here, before the journal is unlocked, so that no writer waits on a prompt.
        if options["interactive"]:
            name = connections[database].settings_dict["NAME"]
            answer = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{name}" database, the audit '
                "journal included.\nType 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        with journal_unlocked(using=database):
            super().handle(**{**options, "interactive": False})
