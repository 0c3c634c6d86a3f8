"""The proof of continuity: list every person-day without a valid document; exit 1 if any."""

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError

from sejour.core import clock
from sejour.dossiers import continuity, gaps


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


class Command(BaseCommand):
    help = (
        "Scan every dossier still owed cover and list each run of days since filing without a "
        "valid document in hand; exit with status 1 if there is any."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", type=_date, help="check up to this day (default: today)")
        parser.add_argument(
            "--alert", action="store_true", help="also tell the supervisors of any finding"
        )

    def handle(self, *args: object, **options: object) -> None:
        today = options["today"] or clock.today()
        assert isinstance(today, dt.date)
        found = list(gaps.find(today=today))
        for gap in found:
            reason = f"  {gap.reason}" if gap.reason else ""
            self.stdout.write(
                f"{gap.dossier}  person {gap.holder_id}  {gap.first} → {gap.last}  "
                f"{gap.days} day(s){reason}"
            )
        if options["alert"]:
            continuity.supervisors_alert(gaps=found, today=today)
        if found:
            days = sum(gap.days for gap in found)
            people = len({gap.holder_id for gap in found})
            raise CommandError(
                f"{days} person-day(s) without a valid document, {people} person(s), "
                f"{len(found)} gap(s), up to {today}."
            )
        self.stdout.write(f"No person-day without a valid document up to {today}.")
