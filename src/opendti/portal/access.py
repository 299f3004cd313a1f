"""Who may see what on the portal. Deny by default; an object the user may not see answers 404."""

from __future__ import annotations

from django.http import Http404

from opendti.periods.models import Period
from opendti.results.access import can_view_provisional_results


def access_period_results(user, code: str) -> Period:
    period = (
        Period.objects.select_related("framework", "framework__level").filter(code=code).first()
    )
    if period is None or not can_view_provisional_results(user):
        raise Http404("No such period")
    return period
