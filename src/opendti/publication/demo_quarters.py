"""The demo's quarterly periods: the 2025 communes assessed each quarter, as Bắc Kạn's decision
1294 does, each quarter published by the coordinator without a decision (docs/calendar.md).

The quarters use the 2025 framework and units; their values are the year's, reached progressively
(quantities grow quarter by quarter, some yes/no achievements come later), so that the quarters
differ and the year's pages show Q1..Q4 beside the year. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from opendti.accounts.models import User
from opendti.assessments.models import InputValue, Submission
from opendti.frameworks.models import InputSpec
from opendti.periods import revision
from opendti.periods.models import Membership, Participation, Period, Phase
from opendti.periods.services import period_open_next, period_phases_add
from opendti.results.demo import DEMO_MEMBERSHIPS

from .services import publish

YEAR_PERIOD = "2025-communes"
Kind = Phase.Kind


def quarter_code(quarter: int) -> str:
    return f"2025-q{quarter}-communes"


# Each quarter's self-assessment and publication, in the weeks after the quarter.
CALENDARS = {
    q: [
        (Kind.SELF_ASSESSMENT, None, start, start + datetime.timedelta(days=9)),
        (
            Kind.PUBLICATION,
            None,
            start + datetime.timedelta(days=12),
            start + datetime.timedelta(days=16),
        ),
    ]
    for q, start in {
        1: datetime.date(2025, 4, 1),
        2: datetime.date(2025, 7, 1),
        3: datetime.date(2025, 10, 1),
        4: datetime.date(2026, 1, 5),
    }.items()
}


# Inputs that say how much there is to do (a ratio's denominator, a formula's whole): kept.
WHOLES = {"denominator", "systems", "total"}


def _grown(value: str, number: int) -> str:
    """A quantity reached by the end of quarter `number`: the year's × number/4 (a whole number
    stays whole)."""
    try:
        year = Decimal(value)
    except InvalidOperation:
        return value
    exponent = Decimal(1).scaleb(year.as_tuple().exponent)  # type: ignore[arg-type]
    return str((year * number / 4).quantize(exponent, rounding=ROUND_DOWN))


def _values(year: Period, quarter: Period, number: int) -> None:
    """The year's values, reached progressively: quantities grow with the quarters and some yes/no
    achievements come only later in the year."""
    kinds = {
        (node, name): kind
        for node, name, kind in InputSpec.objects.filter(
            node__framework=year.framework
        ).values_list("node_id", "name", "type")
    }
    yes_no = sorted({node for (node, _name), kind in kinds.items() if kind == InputSpec.Type.YESNO})
    later = {node for i, node in enumerate(yes_no) if i % 4 >= number}
    submissions = {
        s.participation.unit_id: s
        for s in Submission.objects.filter(participation__period=quarter).select_related(
            "participation"
        )
    }

    def reached(node: int, name: str, value: str) -> str:
        kind = kinds.get((node, name))
        if kind == InputSpec.Type.YESNO:
            return "no" if node in later and value == "yes" else value
        if kind in (InputSpec.Type.NUMBER, InputSpec.Type.PERCENT) and name not in WHOLES:
            return _grown(value, number)
        return value

    InputValue.objects.bulk_create(
        InputValue(
            submission=submissions[unit],
            node_id=node,
            input_name=name,
            value=reached(node, name, value),
        )
        for unit, node, name, value in InputValue.objects.filter(
            submission__participation__period=year
        ).values_list("submission__participation__unit_id", "node_id", "input_name", "value")
        if unit in submissions
    )
    revision.bump([quarter.pk])  # bulk_create sends no signal: the values are the results' input


def demo_quarter_open(number: int, previous: Period | None = None) -> Period:
    """Quarter `number` of the 2025 communes, self-assessed (submitted) and not yet published."""
    found = Period.objects.filter(code=quarter_code(number)).first()
    if found is not None:
        return found
    year = Period.objects.get(code=YEAR_PERIOD)
    calendar = CALENDARS[number]
    found = period_open_next(
        previous=year,
        code=quarter_code(number),
        title=f"DTI cấp xã quý {number}/2025 (dữ liệu minh họa)",
        year=2025,
        starts_on=calendar[0][2],
        ends_on=calendar[0][3],
        cadence=Period.Cadence.QUARTERLY,
        quarter=number,
        label=f"Q{number}-2025",
    )
    # A quarter follows the quarter before it (carry-over, change); Q1 follows nothing.
    found.previous = previous
    found.save(update_fields=["previous"])
    period_phases_add(period=found, plan=calendar[1:])
    Submission.objects.filter(participation__period=found).update(
        status=Submission.Status.SUBMITTED
    )
    for username, unit, role in DEMO_MEMBERSHIPS:
        Membership.objects.get_or_create(
            participation=Participation.objects.get(period=found, unit__code=unit),
            user=User.objects.get(username=username),
            role=role,
        )
    _values(year, found, number)
    return found


def demo_quarters(coordinator: User) -> list[Period]:
    """Q1..Q4 2025 of the communes, self-assessed and published by the coordinator."""
    quarters: list[Period] = []
    for number in CALENDARS:
        found = demo_quarter_open(number, quarters[-1] if quarters else None)
        if found.status != Period.Status.PUBLISHED:
            publish(period=found, actor=coordinator)
        quarters.append(found)
    return quarters
