"""Writes on accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

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
