"""`opendti create-integrator-token USERNAME --period CODE --units a,b --indicators 6.1,6.2`"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from opendti.accounts.models import User
from opendti.accounts.roles import INTEGRATOR
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period

from ...models import IntegratorToken


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


class Command(BaseCommand):
    help = (
        "Create an API token for an integrator account, scoped to one period, some units and "
        "some auto-measured indicators. The secret is printed once; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--period", required=True, help="period code")
        parser.add_argument("--units", required=True, help="unit codes, comma-separated")
        parser.add_argument("--indicators", required=True, help="indicator codes, comma-separated")
        parser.add_argument("--days", type=int, default=365, help="valid for N days (365)")
        parser.add_argument("--name", default="", help="a label for the token")

    @transaction.atomic
    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.groups.filter(name=INTEGRATOR).exists():
            raise CommandError(f"User {user.username!r} is not in the {INTEGRATOR!r} group.")
        period = Period.objects.filter(code=options["period"]).first()
        if period is None:
            raise CommandError(f"No period {options['period']!r}.")
        units = _codes(options["units"])
        participations = list(Participation.objects.filter(period=period, unit__code__in=units))
        missing = set(units) - {p.unit.code for p in participations}
        if missing or not units:
            raise CommandError(
                f"Units not taking part in {period.code}: {', '.join(sorted(missing)) or '(none given)'}"
            )
        codes = _codes(options["indicators"])
        nodes = list(Node.objects.filter(framework=period.framework, code__in=codes))
        missing = set(codes) - {n.code for n in nodes}
        if missing or not codes:
            raise CommandError(
                f"Indicators not in the framework of {period.code}: "
                f"{', '.join(sorted(missing)) or '(none given)'}"
            )
        not_auto = sorted(n.code for n in nodes if n.source != Node.Source.AUTO)
        if not_auto:
            raise CommandError(f"Indicators not auto-measured: {', '.join(not_auto)}")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        token = IntegratorToken(
            name=options["name"],
            user=user,
            period=period,
            expires_at=timezone.now() + datetime.timedelta(days=options["days"]),
        )
        secret = token.set_secret()
        token.save()
        token.participations.set(participations)
        token.nodes.set(nodes)
        self.stdout.write(secret)
        self.stderr.write(
            f"Token {token.prefix}… for {user.username}, period {period.code}, "
            f"expires {token.expires_at:%Y-%m-%d}. The secret above is shown only now."
        )
