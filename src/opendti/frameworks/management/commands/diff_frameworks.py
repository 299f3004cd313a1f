from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opendti.frameworks.diff import framework_diff
from opendti.frameworks.models import Framework


class Command(BaseCommand):
    help = "What changed between two versions of a framework (added, removed, renamed… indicators)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the framework's code")
        parser.add_argument("old", type=int, help="the older version")
        parser.add_argument("new", type=int, help="the newer version")

    def handle(self, *args, **options):
        found = {
            f.version: f
            for f in Framework.objects.filter(
                code=options["code"], version__in=[options["old"], options["new"]]
            )
        }
        missing = [v for v in (options["old"], options["new"]) if v not in found]
        if missing:
            known = Framework.objects.filter(code=options["code"]).order_by("version")
            versions = ", ".join(str(v) for v in known.values_list("version", flat=True))
            raise CommandError(
                f"framework '{options['code']}' has no version {missing[0]} "
                f"(versions: {versions or 'none'})"
            )
        diff = framework_diff(found[options["old"]], found[options["new"]])
        for line in diff.lines() or [_("Không có khác biệt.")]:
            self.stdout.write(line)
