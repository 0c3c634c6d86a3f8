"""Load the catalogue data files into the database; safe to run at every deployment."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sejour.catalog.loader import DATA_DIR, CatalogDataError
from sejour.catalog.services import KINDS, OUTCOMES, catalog_load


class Command(BaseCommand):
    help = (
        "Load permit types, procedures, checklists and prefectures from the catalogue data "
        "files. Rows are matched by code; a second run with the same files writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Directory holding catalog.yaml and prefectures.yaml (default: the app's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = catalog_load(actor=None, data_dir=options["data_dir"])
        except CatalogDataError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"Catalogue {report.version}, prefectures {report.prefectures_version} "
            f"(sha256 {report.sha256[:12]})"
        )
        for kind in KINDS:
            counts = report.counts[kind]
            figures = ", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES)
            self.stdout.write(f"  {kind.replace('_', ' ')}: {figures}")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        totals = ", ".join(f"{report.total(outcome)} {outcome}" for outcome in OUTCOMES)
        style = self.style.SUCCESS if report.changed else self.style.NOTICE
        self.stdout.write(style(f"Total: {totals}."))
