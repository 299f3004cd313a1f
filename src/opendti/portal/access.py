"""Who may see what on the portal. Deny by default; an object the user may not see answers 404."""

from __future__ import annotations

from django.http import Http404

from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR
from opendti.periods.models import Period

RESULT_VIEWERS = {COORDINATOR, APPROVER, ADMINISTRATOR}


def can_view_provisional_results(user) -> bool:
    """Unpublished (provisional) results: coordinators, approvers and administrators only."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=RESULT_VIEWERS).exists()


def access_period_results(user, code: str) -> Period:
    period = (
        Period.objects.select_related("framework", "framework__level").filter(code=code).first()
    )
    if period is None or not can_view_provisional_results(user):
        raise Http404("No such period")
    return period
