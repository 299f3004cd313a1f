from django.core.management.base import BaseCommand

from opendti.publication.demo import APPRAISAL_PERIOD, HISTORY, demo_load_all
from opendti.publication.demo_quarters import CALENDARS, quarter_code
from opendti.results.demo import DEMO_MEMBERSHIPS, OPEN_PERIOD


class Command(BaseCommand):
    help = "Load the demo periods, their process state and one demo user per role (idempotent)."

    def handle(self, *args, **options):
        logins = demo_load_all()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Demo logins (username / password — role):")
        )
        for username, password, role in logins:
            self.stdout.write(f"  {username:10} / {password} — {role}")
        published = ", ".join(code for code, *_ in HISTORY)
        self.stdout.write(f"Published: {published}.")
        quarters = ", ".join(quarter_code(n) for n in CALENDARS)
        self.stdout.write(f"Quarters published by the coordinator (no decision): {quarters}.")
        self.stdout.write(
            f"Under appraisal (round 1 open, reviewers thamdinh and thamdinh2): {APPRAISAL_PERIOD}."
        )
        self.stdout.write(f"Open for self-assessment: period {OPEN_PERIOD}; unit accounts:")
        for username, unit, role in DEMO_MEMBERSHIPS:
            self.stdout.write(f"  {username:10} — {unit} ({role})")
