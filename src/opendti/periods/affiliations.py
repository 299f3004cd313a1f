"""A unit's own people over time (units.Affiliation) and the memberships that follow from it.

A person placed in a unit becomes a member of that unit in every period still under way (not yet
approved or published), and of every period the unit joins later. Moving the person to another
unit closes the old place, removes every membership in other units (the old unit's data is no
longer theirs to see) and opens the new place. Memberships record their own audit events
(periods/audit.py); the place itself is recorded here.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from opendti.accounts.models import User
from opendti.audit.services import Kind, audit_record
from opendti.units.models import Affiliation, Unit

from .models import Membership, Participation, Period

FINISHED = (Period.Status.APPROVED, Period.Status.PUBLISHED)


def current_affiliation(user: User) -> Affiliation | None:
    return (
        Affiliation.objects.select_related("unit").filter(user=user, ended_at__isnull=True).first()
    )


def _live_participations(unit: Unit):
    return Participation.objects.filter(unit=unit).exclude(period__status__in=FINISHED)


def _memberships_add(user: User, unit: Unit, role: str) -> None:
    for participation in _live_participations(unit).order_by("pk"):
        Membership.objects.get_or_create(participation=participation, user=user, role=role)


def _role_group(user: User, role: str, *, before: str | None = None) -> None:
    """The person's group follows the role of their place (groups changes are audited)."""
    if before and before != role:
        user.groups.remove(*Group.objects.filter(name=before))
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)


@transaction.atomic
def affiliation_start(
    *, user: User, unit: Unit, role: str, actor: User | None, reason: str = ""
) -> Affiliation:
    """Place a person who has no current place in a unit, with its memberships."""
    place = Affiliation.objects.create(
        user=user, unit=unit, role=role, started_by=actor, reason=reason
    )
    _role_group(user, role)
    _memberships_add(user, unit, role)
    audit_record(
        Kind.MEMBERSHIP_CHANGED,
        actor=actor,
        target=f"user:{user.get_username()}",
        detail={"added": "affiliation", "unit": unit.code, "role": role, "reason": reason},
    )
    return place


@transaction.atomic
def affiliation_move(
    *, user: User, unit: Unit, role: str, actor: User | None, reason: str
) -> Affiliation:
    """Move a person to `unit` (and `role`): the old place is closed with the reason, the
    memberships of every other unit are removed, the new place and memberships are opened."""
    # Lock the person's row: two coordinators moving the same person queue here.
    User.objects.select_for_update().filter(pk=user.pk).first()
    old = current_affiliation(user)
    now = timezone.now()
    if old is not None:
        old.ended_at = now
        old.ended_by = actor
        old.save(update_fields=["ended_at", "ended_by"])
    old_units = sorted(
        Membership.objects.filter(user=user, role__in=Affiliation.Role.values)
        .exclude(participation__unit=unit)
        .values_list("participation__unit__code", flat=True)
        .distinct()
    )
    # One by one, so that each removal records its audit event.
    for membership in (
        Membership.objects.filter(user=user)
        .exclude(participation__unit=unit)
        .select_related("participation__period", "participation__unit")
        .order_by("pk")
    ):
        membership.delete()
    # A new role in the same unit: the old role's memberships go too.
    for membership in Membership.objects.filter(
        user=user, participation__unit=unit, role__in=Affiliation.Role.values
    ).exclude(role=role):
        membership.delete()
    place = Affiliation.objects.create(
        user=user, unit=unit, role=role, started_by=actor, reason=reason
    )
    _role_group(user, role, before=old.role if old is not None else None)
    _memberships_add(user, unit, role)
    audit_record(
        Kind.MEMBERSHIP_CHANGED,
        actor=actor,
        target=f"user:{user.get_username()}",
        detail={
            "moved": "affiliation",
            "from": old.unit.code if old is not None else (old_units or None),
            "to": unit.code,
            "role": role,
            "reason": reason,
        },
    )
    return place


def on_participation_saved(sender, instance: Participation, created: bool, **kwargs) -> None:
    """A unit joins a period: its current people become members of it."""
    if not created or instance.period.status in FINISHED:
        return
    for place in Affiliation.objects.filter(unit_id=instance.unit_id, ended_at__isnull=True):
        Membership.objects.get_or_create(participation=instance, user=place.user, role=place.role)


def connect() -> None:
    post_save.connect(
        on_participation_saved,
        sender=Participation,
        dispatch_uid="opendti.periods.affiliations.participation",
    )
