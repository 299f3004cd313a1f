"""Writes on periods: opening the next period of a series for self-assessment."""

from __future__ import annotations

import datetime

from django.db import transaction

from .models import Participation, Period, Phase, RankingGroup


@transaction.atomic
def period_open_next(
    *,
    previous: Period,
    code: str,
    title: str,
    year: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Period:
    """A new period on the same framework with the same units and groups, its self-assessment
    phase open between the given dates, and the previous period linked for carry-over."""
    period = Period.objects.create(
        code=code,
        title=title,
        framework=previous.framework,
        year=year,
        label=str(year),
        cadence=previous.cadence,
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
