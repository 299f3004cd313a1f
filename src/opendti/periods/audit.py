"""Security events of the periods app: each step of a period, and who joins or leaves a unit's
work or a review (memberships and reviewer assignments), whatever page or command made it."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from opendti.audit.services import Kind, audit_record

from .models import Membership, PeriodTransition, ReviewerAssignment


def on_transition(sender, instance: PeriodTransition, created: bool, **kwargs) -> None:
    if created:
        audit_record(
            Kind.PERIOD_TRANSITION,
            actor=instance.actor,
            target=f"period:{instance.period.code}",
            detail={"from": instance.before, "to": instance.after, "reason": instance.reason},
        )


def _membership(instance: Membership, change: str) -> None:
    participation = instance.participation
    audit_record(
        Kind.MEMBERSHIP_CHANGED,
        target=f"user:{instance.user.get_username()}",
        detail={
            change: "membership",
            "period": participation.period.code,
            "unit": participation.unit.code,
            "role": instance.role,
        },
    )


def _assignment(instance: ReviewerAssignment, change: str) -> None:
    audit_record(
        Kind.MEMBERSHIP_CHANGED,
        target=f"user:{instance.reviewer.get_username()}",
        detail={
            change: "reviewer_assignment",
            "period": instance.period.code,
            "unit": instance.unit.code if instance.unit is not None else None,
            "main_index": instance.node.code if instance.node is not None else None,
        },
    )


def on_membership_saved(sender, instance, created: bool, **kwargs) -> None:
    if created:
        _membership(instance, "added")


def on_membership_deleted(sender, instance, **kwargs) -> None:
    _membership(instance, "removed")


def on_assignment_saved(sender, instance, created: bool, **kwargs) -> None:
    if created:
        _assignment(instance, "added")


def on_assignment_deleted(sender, instance, **kwargs) -> None:
    _assignment(instance, "removed")


def connect() -> None:
    uid = "opendti.periods.audit."
    post_save.connect(on_transition, sender=PeriodTransition, dispatch_uid=uid + "transition")
    post_save.connect(on_membership_saved, sender=Membership, dispatch_uid=uid + "m_saved")
    post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid=uid + "m_deleted")
    post_save.connect(on_assignment_saved, sender=ReviewerAssignment, dispatch_uid=uid + "a_saved")
    post_delete.connect(
        on_assignment_deleted, sender=ReviewerAssignment, dispatch_uid=uid + "a_deleted"
    )
