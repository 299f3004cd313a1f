"""Which units take part in a period, and in which ranking group: the proposal the console shows
(last year's period of the same level, followed through the units' lineage) and the service that
saves the coordinator's choice, all of it or nothing.

A unit's submission is made as it joins (assessments.apps, on the Participation's creation), in
the same transaction as this save.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.units.models import Lineage, Unit

from .models import Participation, Period, PeriodChange, RankingGroup
from .services import period_record, require_fresh, require_not_opened

# Lineage is followed this many steps at most (a unit renamed, then merged, then split…).
MAX_LINEAGE_STEPS = 10


@dataclass
class Row:
    """One unit on the console's list: whether it is proposed, its group, why."""

    unit: Unit
    joined: bool = False
    group: str = ""
    ranked: bool = True
    # The units of the earlier period this one stands for (itself, or its predecessors).
    came_from: list[Unit] = field(default_factory=list)


@dataclass
class Proposal:
    source: Period | None  # the period the proposal comes from (None: the period's own units)
    groups: list[tuple[str, str]]  # (code, name)
    rows: list[Row]


def period_before(period: Period) -> Period | None:
    """The period whose units a new one starts from: its `previous`, else the latest earlier
    period of the same level (an annual one for an annual period, when there is one)."""
    if period.previous_id is not None:
        return period.previous
    earlier = (
        Period.objects.filter(framework__level_id=period.framework.level_id)
        .exclude(pk=period.pk)
        .filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.quarter or 0))
        .select_related("framework")
    )
    same = earlier.filter(cadence=period.cadence)
    for candidates in (same, earlier):
        found = candidates.order_by("-year", "-quarter", "-pk").first()
        if found is not None:
            return found
    return None


def _successors(unit: Unit, today: Any) -> list[Unit]:
    """The units that stand for `unit` today: itself while it exists, else its successors (the
    lineage followed until units that still exist)."""
    current, seen = [unit], {unit.pk}
    for _step in range(MAX_LINEAGE_STEPS):
        following: list[Unit] = []
        moved = False
        for each in current:
            links = list(
                Lineage.objects.filter(predecessor=each)
                .select_related("successor")
                .order_by("successor__name", "successor__pk")
            )
            if not links:
                following.append(each)
                continue
            moved = True
            for link in links:
                if link.successor.pk not in seen:
                    seen.add(link.successor.pk)
                    following.append(link.successor)
        current = following
        if not moved:
            break
    return [u for u in current if u.valid_to is None or u.valid_to >= today]


def participants_proposal(period: Period) -> Proposal:
    """The list the console shows. A period with units shows its own; a new one, the units of the
    period before it (period_before), each replaced by its successors where it merged, split or
    was renamed, with its group; below them, the other units of the same kinds, not ticked."""
    today = timezone.localdate()
    own = list(period.participations.select_related("unit", "group").order_by("order", "pk"))
    if own:
        groups = list(period.groups.order_by("code").values_list("code", "name"))
        rows = [Row(p.unit, True, p.group.code if p.group else "", p.ranked, [p.unit]) for p in own]
        source = None
    else:
        source = period_before(period)
        groups, rows = [], []
        if source is not None:
            groups = list(source.groups.order_by("code").values_list("code", "name"))
            by_unit: dict[int, Row] = {}
            for p in source.participations.select_related("unit", "group").order_by("order"):
                for unit in _successors(p.unit, today):
                    row = by_unit.get(unit.pk)
                    if row is None:
                        row = by_unit[unit.pk] = Row(
                            unit, True, p.group.code if p.group else "", p.ranked
                        )
                        rows.append(row)
                    row.came_from.append(p.unit)
    listed = {row.unit.pk for row in rows}
    kinds = {row.unit.kind_id for row in rows if row.unit.kind_id is not None}
    # Units that still exist: not ended, and not merged, split or renamed into another.
    others = (
        Unit.objects.exclude(pk__in=listed)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(successor_links__isnull=True)
    )
    if kinds:
        others = others.filter(kind_id__in=kinds)
    rows += [Row(unit) for unit in others.order_by("name", "code")]
    return Proposal(source, groups, rows)


@dataclass(frozen=True)
class Choice:
    unit: str  # the unit's code
    group: str  # a group code of the period, or ""
    ranked: bool = True


def _check(
    period: Period, groups: Sequence[tuple[str, str]], choices: Sequence[Choice]
) -> tuple[dict[str, Unit], list[str]]:
    errors: list[str] = []
    codes = [code for code, _name in groups]
    for number, (code, name) in enumerate(groups, start=1):
        if not code or not name:
            errors.append(
                _("Nhóm xếp hạng dòng %(n)d: cần cả mã và tên (ví dụ “xa: Xã”).") % {"n": number}
            )
        elif len(code) > 50 or len(name) > 200:
            errors.append(
                _("Nhóm xếp hạng dòng %(n)d: mã tối đa 50 ký tự, tên tối đa 200 ký tự.")
                % {"n": number}
            )
        elif codes.count(code) > 1:
            errors.append(
                _("Nhóm xếp hạng dòng %(n)d: mã “%(code)s” bị trùng.") % {"n": number, "code": code}
            )
    units = {u.code: u for u in Unit.objects.filter(code__in=[c.unit for c in choices])}
    seen: set[str] = set()
    for choice in choices:
        if choice.unit not in units:
            errors.append(_("Không có đơn vị mã “%(code)s”.") % {"code": choice.unit})
        elif choice.unit in seen:
            errors.append(_("Đơn vị %(unit)s được chọn hai lần.") % {"unit": units[choice.unit]})
        elif choice.group and choice.group not in codes:
            errors.append(
                _("Đơn vị %(unit)s: nhóm xếp hạng “%(group)s” không có trong danh sách nhóm.")
                % {"unit": units[choice.unit], "group": choice.group}
            )
        seen.add(choice.unit)
    if not choices:
        errors.append(_("Hãy chọn ít nhất một đơn vị tham gia."))
    leaving = (
        period.participations.exclude(unit__code__in=list(seen))
        .filter(
            Q(memberships__isnull=False)
            | Q(submission__values__isnull=False)
            | Q(submission__evidence__isnull=False)
            | Q(submission__changes__isnull=False)
        )
        .select_related("unit")
        .distinct()
        .order_by("order")
    )
    for participation in leaving:
        errors.append(
            _(
                "Không bỏ được đơn vị %(unit)s: đơn vị đã có người phụ trách hoặc số liệu trong "
                "kỳ này."
            )
            % {"unit": participation.unit}
        )
    return units, errors


@transaction.atomic
def participants_set(
    *,
    period: Period,
    actor: Any,
    seen: str,
    groups: Sequence[tuple[str, str]],
    choices: Iterable[Choice],
) -> dict[str, Any]:
    """Make the period's ranking groups and units exactly these, in this order: every problem is
    reported at once (ValidationError) and then nothing is written. Refused once the period has
    opened, or if it changed since the form was shown. Returns what changed."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    require_not_opened(period)
    require_fresh(period, seen)
    chosen = list(choices)
    units, errors = _check(period, groups, chosen)
    if errors:
        raise ValidationError(errors)
    have_groups = {g.code: g for g in period.groups.all()}
    for code, name in groups:
        group = have_groups.get(code)
        if group is None:
            have_groups[code] = RankingGroup.objects.create(period=period, code=code, name=name)
        elif group.name != name:
            group.name = name
            group.save(update_fields=["name"])
    have = {p.unit.code: p for p in period.participations.select_related("unit", "group")}
    wanted = {c.unit for c in chosen}
    removed = sorted(code for code in have if code not in wanted)
    period.participations.filter(unit__code__in=removed).delete()
    added, changed = [], []
    for order, choice in enumerate(chosen):
        group = have_groups[choice.group] if choice.group else None
        participation = have.get(choice.unit)
        if participation is None:
            # Its submission is made with it (assessments.apps): from now the unit has a form.
            Participation.objects.create(
                period=period,
                unit=units[choice.unit],
                group=group,
                ranked=choice.ranked,
                order=order,
            )
            added.append(choice.unit)
            continue
        before = (participation.group_id, participation.ranked)
        if before != (group.pk if group else None, choice.ranked):
            changed.append(choice.unit)
        participation.group, participation.ranked, participation.order = group, choice.ranked, order
        participation.save(update_fields=["group", "ranked", "order"])
    period.groups.exclude(code__in=[code for code, _name in groups]).filter(
        participation__isnull=True
    ).delete()
    detail = {"added": added, "removed": removed, "changed": changed}
    if any(detail.values()):
        period_record(
            period=period, actor=actor, kind=PeriodChange.Kind.PARTICIPANTS, detail=detail
        )
    return detail
