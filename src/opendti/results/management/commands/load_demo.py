from django.core.management.base import BaseCommand

from opendti.results.demo import DEMO_MEMBERSHIPS, OPEN_PERIOD, demo_load


class Command(BaseCommand):
    help = "Load the demo periods and one demo user per role (idempotent)."

    def handle(self, *args, **options):
        logins = demo_load()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Demo logins (username / password — role):")
        )
        for username, password, role in logins:
            self.stdout.write(f"  {username:10} / {password} — {role}")
        self.stdout.write(f"Open for self-assessment: period {OPEN_PERIOD}; unit accounts:")
        for username, unit, role in DEMO_MEMBERSHIPS:
            self.stdout.write(f"  {username:10} — {unit} ({role})")
