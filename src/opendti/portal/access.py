"""Who may see what on the portal. Deny by default; an object the user may not see answers 404."""

from __future__ import annotations

from django.http import Http404

from opendti.periods.models import Period
from opendti.publication.selectors import ResultSource, result_source


def access_results(user, code: str) -> ResultSource:
    """A period's results as `user` may read them: published ones for everyone, the rest for
    those who may see provisional results. 404 otherwise, exactly as for a period that does not
    exist, so the public never learns of a period before it is published."""
    period = (
        Period.objects.select_related("framework", "framework__level").filter(code=code).first()
    )
    source = result_source(user, period) if period is not None else None
    if source is None:
        raise Http404("No such period")
    return source


def access_period_results(user, code: str) -> Period:
    """The period, when `user` may read its results (see access_results)."""
    return access_results(user, code).period
