"""Writes on periods: opening the next period of a series for self-assessment, and giving a
period the phases of its calendar. (A phase's dates, once set, change only through
appraisal.services.phase_extend, which keeps the old dates and the reason.)"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from .models import Participation, Period, Phase, RankingGroup

# A phase to add: kind, round number (None: not per round, or every round), first and last day.
PhasePlan = tuple[str, int | None, datetime.date, datetime.date]


@transaction.atomic
def period_open_next(
    *,
    previous: Period,
    code: str,
    title: str,
    year: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    cadence: str | None = None,
    quarter: int | None = None,
    label: str = "",
) -> Period:
    """A new period on the same framework with the same units and groups, its self-assessment
    phase open between the given dates, and the previous period linked for carry-over (a
    quarter may follow a year or another quarter: `cadence` and `quarter` say which it is)."""
    period = Period.objects.create(
        code=code,
        title=title,
        framework=previous.framework,
        year=year,
        label=label or str(year),
        cadence=cadence or previous.cadence,
        quarter=quarter,
        decimals=previous.decimals,
        display=previous.display,
        not_deployed_policy=previous.not_deployed_policy,
        band_on=previous.band_on,
        previous=previous,
    )
    period.not_deployed.set(previous.not_deployed.all())
    groups = {
        g.pk: RankingGroup.objects.create(period=period, code=g.code, name=g.name)
        for g in previous.groups.all()
    }
    Participation.objects.bulk_create(
        Participation(
            period=period,
            unit_id=p.unit_id,
            group=groups[p.group_id] if p.group_id is not None else None,
            ranked=p.ranked,
            order=p.order,
        )
        for p in previous.participations.all()
    )
    Phase.objects.create(
        period=period, kind=Phase.Kind.SELF_ASSESSMENT, starts_on=starts_on, ends_on=ends_on
    )
    return period


@transaction.atomic
def period_phases_add(*, period: Period, plan: Iterable[PhasePlan]) -> list[Phase]:
    """Give the period the phases of `plan` it does not have yet (the same kind and round);
    phases it has keep their dates. Returns the phases added."""
    have = set(period.phases.values_list("kind", "round_number"))
    order = period.phases.count()
    added = []
    for kind, round_number, starts_on, ends_on in plan:
        if (kind, round_number) in have:
            continue
        added.append(
            Phase.objects.create(
                period=period,
                kind=kind,
                round_number=round_number,
                starts_on=starts_on,
                ends_on=ends_on,
                order=order,
            )
        )
        have.add((kind, round_number))
        order += 1
    return added
