"""Who may see results that are not published yet: one rule for the portal and the API."""

from __future__ import annotations

from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR

RESULT_VIEWERS = {COORDINATOR, APPROVER, ADMINISTRATOR}


def can_view_provisional_results(user) -> bool:
    """Unpublished (provisional) results: coordinators, approvers and administrators only."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=RESULT_VIEWERS).exists()
