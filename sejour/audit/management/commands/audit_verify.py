"""Check the journal's hash chain: exit 0 when intact, 1 with the list of problems otherwise."""

from django.core.management.base import BaseCommand, CommandError

from sejour.audit.selectors import chain_report


class Command(BaseCommand):
    help = "Check the audit journal's hash chain; exit with status 1 if it is damaged."

    def handle(self, *args: object, **options: object) -> None:
        report = chain_report()
        if not report.intact:
            for problem in report.problems:
                detail = f" ({problem.detail})" if problem.detail else ""
                self.stdout.write(f"seq {problem.seq}: {problem.kind}{detail}")
            raise CommandError(
                f"Journal damaged: {len(report.problems)} problem(s) in {report.entries} entries."
            )
        self.stdout.write(f"Journal intact: {report.entries} entries, head {report.head}")
