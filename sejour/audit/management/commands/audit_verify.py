"""Check the journal's hash chain and its signed checkpoints: exit 0 when intact, 1 with the
list of problems otherwise."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sejour.audit.selectors import chain_report


class Command(BaseCommand):
    help = (
        "Check the audit journal's keyed hash chain against the signed checkpoints of its "
        "head; exit with status 1 if it is damaged, rewritten or cut short."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help=(
                "Directory of checkpoints to compare with (a copy from their storage); "
                "SEJOUR_AUDIT_CHECKPOINT_DIR by default."
            ),
        )

    def handle(self, *args: object, **options: Any) -> None:
        report = chain_report(checkpoint_dir=options["checkpoints"])
        if not report.intact:
            for problem in report.problems:
                detail = f" ({problem.detail})" if problem.detail else ""
                self.stdout.write(f"seq {problem.seq}: {problem.kind}{detail}")
            raise CommandError(
                f"Journal damaged: {len(report.problems)} problem(s) in {report.entries} entries."
            )
        against = (
            f", checked against {report.checkpoints} signed checkpoint(s)"
            if report.checkpoints
            else ""
        )
        self.stdout.write(f"Journal intact: {report.entries} entries, head {report.head}{against}")
