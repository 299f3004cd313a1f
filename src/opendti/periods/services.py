"""Writes on periods: creating a period from the coordinator's console and changing its settings
and phases until it opens, opening the next period of a series for self-assessment, and giving a
period the phases of its calendar. (Once a period has opened, a phase's dates change only through
appraisal.services.phase_extend, which keeps the old dates and the reason.) Every change from the
console is a PeriodChange row (what changed, who, when) and a security audit event."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.audit.services import Kind as AuditKind
from opendti.audit.services import audit_record

from .calendar import KIND_ORDER
from .models import Participation, Period, PeriodChange, Phase, RankingGroup
from .workflow import TransitionRefused

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
    # One by one, not bulk_create: a unit's submission is made as it joins (a post_save).
    for p in previous.participations.order_by("order", "pk"):
        Participation.objects.create(
            period=period,
            unit_id=p.unit_id,
            group=groups[p.group_id] if p.group_id is not None else None,
            ranked=p.ranked,
            order=p.order,
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


# The coordinator's console ---------------------------------------------------------------------

# The settings the console sets (docs/console.md); status, units and phases have their own steps.
SETTINGS = (
    "code", "title", "framework", "year", "label", "cadence", "quarter", "decimals", "display",
    "band_on", "not_deployed_policy", "raw_inputs_public", "review_rounds", "previous",
    "assessed_from", "assessed_to",
)  # fmt: skip


class PeriodStale(TransitionRefused):
    """The period was changed by someone else since the form was shown."""


def period_has_opened(period: Period, *, on: datetime.date | None = None) -> bool:
    """Whether units may have started work: the self-assessment phase has begun, or the period
    has moved on. Until then the coordinator may change everything from the console."""
    if period.status != Period.Status.SELF_ASSESSMENT:
        return True
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    return phase is not None and phase.starts_on <= (on or timezone.localdate())


def require_not_opened(period: Period) -> None:
    if period_has_opened(period):
        raise TransitionRefused(
            _(
                "Kỳ %(title)s đã bắt đầu tự đánh giá: không sửa thiết lập, đơn vị tham gia hay "
                "bộ chỉ số được nữa (thời gian các giai đoạn điều chỉnh ở trang Lịch trình)."
            )
            % {"title": period.title}
        )


def _plain(value: Any) -> Any:
    """A setting's value as JSON: a row by its id, a date as ISO text."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _phase_rows(period: Period) -> list[list[Any]]:
    return [
        [p.kind, p.round_number, p.starts_on.isoformat(), p.ends_on.isoformat()]
        for p in period.phases.order_by("order", "pk")
    ]


def period_fingerprint(period: Period) -> str:
    """A digest of the period's settings, phases and units as stored: a form carries the one it
    was shown with, and a save refuses a period that has changed since (never overwrites)."""
    state = {
        "settings": {name: _plain(getattr(period, name)) for name in SETTINGS},
        "phases": _phase_rows(period),
        "units": list(
            period.participations.order_by("order", "pk").values_list(
                "unit_id", "group__code", "ranked"
            )
        ),
        "groups": list(period.groups.order_by("code").values_list("code", "name")),
    }
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def require_fresh(period: Period, seen: str) -> None:
    if seen != period_fingerprint(period):
        raise PeriodStale(
            _(
                "Kỳ %(title)s vừa được người khác thay đổi sau khi trang này mở: hãy tải lại "
                "trang, xem thay đổi đó rồi lưu lại."
            )
            % {"title": period.title}
        )


def period_record(
    *, period: Period, actor: Any, kind: str, detail: Mapping[str, Any]
) -> PeriodChange:
    """The history row of a console change, and its security audit event."""
    change = PeriodChange.objects.create(period=period, kind=kind, detail=dict(detail), actor=actor)
    audit_record(
        AuditKind.PERIOD_CONFIGURED,
        actor=actor,
        target=f"period:{period.code}",
        detail={"change": kind, **detail},
    )
    return change


def _phases_write(period: Period, plan: Iterable[PhasePlan]) -> dict[str, Any]:
    """Make the period's phases those of `plan` (same kind and round: dates updated in place),
    in the process's order. Returns the phases before and after."""
    before = _phase_rows(period)
    wanted = sorted(plan, key=lambda p: (p[2], KIND_ORDER[p[0]], p[1] or 0))
    have = {(p.kind, p.round_number): p for p in period.phases.all()}
    keep = set()
    for order, (kind, round_number, starts_on, ends_on) in enumerate(wanted):
        phase = have.get((kind, round_number))
        if phase is None:
            phase = Phase(period=period, kind=kind, round_number=round_number)
        phase.starts_on, phase.ends_on, phase.order = starts_on, ends_on, order
        phase.save()
        keep.add(phase.pk)
    period.phases.exclude(pk__in=keep).delete()
    after = _phase_rows(period)
    return {"phases": [before, after]} if before != after else {}


@transaction.atomic
def period_create(
    *, actor: Any, settings: Mapping[str, Any], phases: Iterable[PhasePlan]
) -> Period:
    """A new period from the console: its settings (SETTINGS; the label is made from the year
    and quarter when not given) and its calendar. Units are chosen next (participants_set)."""
    values = {name: settings[name] for name in SETTINGS if name in settings}
    if not values.get("label"):
        year, quarter = values["year"], values.get("quarter")
        values["label"] = f"Q{quarter}-{year}" if quarter else str(year)
    period = Period.objects.create(**values)
    _phases_write(period, phases)
    period_record(
        period=period,
        actor=actor,
        kind=PeriodChange.Kind.CREATED,
        detail={
            "settings": {name: _plain(getattr(period, name)) for name in SETTINGS},
            "phases": _phase_rows(period),
        },
    )
    return period


@transaction.atomic
def period_update(
    *,
    actor: Any,
    period: Period,
    seen: str,
    settings: Mapping[str, Any],
    phases: Iterable[PhasePlan],
) -> dict[str, Any]:
    """Change a period's settings and phases before it opens; refused once it has opened, or if
    it changed since the form was shown (`seen`: its fingerprint then). Returns what changed
    (field: [before, after]); nothing changed records nothing."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    require_not_opened(period)
    require_fresh(period, seen)
    changed: dict[str, Any] = {}
    for name in SETTINGS:
        if name not in settings or name == "code":  # the code is the period's address: kept
            continue
        before, after = _plain(getattr(period, name)), _plain(settings[name])
        if before != after:
            changed[name] = [before, after]
            setattr(period, name, settings[name])
    if "framework" in changed:
        # Indicators marked not deployed belong to the old version: kept where the code stays.
        codes = list(period.not_deployed.values_list("code", flat=True))
        period.not_deployed.set(period.framework.nodes.filter(code__in=codes))
    period.save()
    changed |= _phases_write(period, phases)
    if changed:
        period_record(period=period, actor=actor, kind=PeriodChange.Kind.EDITED, detail=changed)
    return changed
