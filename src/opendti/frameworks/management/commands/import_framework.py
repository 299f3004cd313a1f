from django.core.management.base import BaseCommand, CommandError

from opendti.frameworks.exchange import framework_import
from opendti.workbook.errors import WorkbookError


class Command(BaseCommand):
    help = (
        "Load a framework file (FILE.xlsx or FILE.json) as a new version of its framework; "
        "nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="FILE.xlsx or FILE.json")
        parser.add_argument("--code", default=None, help="the framework's code (default: meta)")

    def handle(self, *args, **options):
        try:
            framework = framework_import(path=options["file"], code=options["code"])
        except WorkbookError as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(
                f"{len(exc.errors)} error(s) in the file; nothing was imported:\n{lines}"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported framework '{framework.code}' version {framework.version} "
                f"({framework.nodes.count()} nodes)"
            )
        )
