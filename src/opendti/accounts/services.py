"""Writes on accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from opendti.audit.services import Kind, audit_record

from .models import User


def user_password_changed(*, user: User) -> None:
    """Record a password change: it lifts a forced change and restarts the rotation clock."""
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])


def password_change_due(user: User, *, max_age_days: int, now: datetime | None = None) -> bool:
    """Whether the policy makes this user change their password before going on."""
    if user.must_change_password:
        return True
    if max_age_days <= 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return (now or timezone.now()) - changed > timedelta(days=max_age_days)


def sessions_end(user: User) -> int:
    """Close every open session of `user` (database sessions); how many were closed."""
    ended = 0
    # Sessions expire after 30 idle minutes, so the unexpired ones are few.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def account_deactivate(*, user: User, actor: User | None, reason: str = "") -> int:
    """Lock an account: it can no longer log in, its open sessions end, and the event is
    recorded (the flag change itself is also recorded as a role change). Sessions closed."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end(user)
    audit_record(
        Kind.ACCOUNT_DEACTIVATED,
        actor=actor,
        target=f"user:{user.get_username()}",
        detail={"reason": reason, "sessions_ended": ended},
    )
    return ended
