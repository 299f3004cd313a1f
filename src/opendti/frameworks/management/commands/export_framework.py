from django.core.management.base import BaseCommand, CommandError

from opendti.audit.services import Kind, audit_record
from opendti.frameworks.exchange import framework_export
from opendti.frameworks.models import Framework
from opendti.workbook.errors import WorkbookError


class Command(BaseCommand):
    help = "Write a framework version to FILE.xlsx or FILE.json (see docs/frameworks.md)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # `--version N` names the framework's version; Django's own --version gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help="the framework's code")
        parser.add_argument("file", help="FILE.xlsx or FILE.json")
        parser.add_argument("--version", type=int, help="the version (default: the latest)")

    def handle(self, *args, **options):
        versions = Framework.objects.filter(code=options["code"]).order_by("-version")
        if options["version"] is not None:
            versions = versions.filter(version=options["version"])
        framework = versions.select_related("level").first()
        if framework is None:
            known = Framework.objects.order_by("code", "version").values_list("code", "version")
            listing = ", ".join(f"{code} v{version}" for code, version in known) or "none"
            raise CommandError(
                f"no framework '{options['code']}'"
                + (f" version {options['version']}" if options["version"] is not None else "")
                + f" (frameworks: {listing})"
            )
        try:
            framework_export(framework=framework, path=options["file"])
            audit_record(
                Kind.EXPORT,
                target=f"framework:{framework.code}:v{framework.version}",
                detail={"what": "framework", "via": "command", "path": str(options["file"])},
            )
        except WorkbookError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote framework '{framework.code}' version {framework.version} to {options['file']}"
            )
        )
