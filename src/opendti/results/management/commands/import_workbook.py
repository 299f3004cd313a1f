from django.core.management.base import BaseCommand, CommandError

from opendti.results.exchange import PeriodExists, period_import_workbook
from opendti.scoring import FrameworkError
from opendti.workbook.errors import WorkbookError


class Command(BaseCommand):
    help = "Load an assessment workbook (XLSX or a folder of CSVs) into the database as a period."

    def add_arguments(self, parser):
        parser.add_argument("workbook")
        parser.add_argument(
            "--code", default="", help="the period's code (default: from its settings)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="replace a period with the same code"
        )

    def handle(self, *args, **options):
        try:
            period = period_import_workbook(
                path=options["workbook"], code=options["code"], replace=options["replace"]
            )
        except WorkbookError as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(
                f"{len(exc.errors)} error(s) in the workbook; nothing was imported:\n{lines}"
            ) from None
        except (PeriodExists, FrameworkError) as exc:
            raise CommandError(str(exc)) from None
        count = period.participations.count()
        self.stdout.write(
            self.style.SUCCESS(f"Imported period '{period.code}' ({period.title}): {count} units")
        )
