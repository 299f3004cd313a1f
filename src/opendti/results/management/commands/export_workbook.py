from django.core.management.base import BaseCommand, CommandError

from opendti.audit.services import Kind, audit_record
from opendti.periods.models import Period
from opendti.results.exchange import period_export_workbook


class Command(BaseCommand):
    help = "Write a period as an assessment workbook: FILE.xlsx, or a folder of CSVs."

    def add_arguments(self, parser):
        parser.add_argument("period", help="the period's code")
        parser.add_argument("output", help="FILE.xlsx, or a folder for CSV sheets")

    def handle(self, *args, **options):
        period = Period.objects.filter(code=options["period"]).first()
        if period is None:
            codes = ", ".join(Period.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"no period '{options['period']}' (periods: {codes})")
        period_export_workbook(period=period, path=options["output"])
        audit_record(
            Kind.EXPORT,
            target=f"period:{period.code}",
            detail={"what": "workbook", "via": "command", "path": str(options["output"])},
        )
        self.stdout.write(
            self.style.SUCCESS(f"Wrote period '{period.code}' to {options['output']}")
        )
