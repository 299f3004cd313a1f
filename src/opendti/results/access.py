"""Who may see results that are not published yet: one rule for the portal and the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from opendti.accounts.roles import ADMINISTRATOR, APPROVER, COORDINATOR
from opendti.assessments.access import is_reviewer_of, unit_roles
from opendti.periods.models import Participation, Period

RESULT_VIEWERS = {COORDINATOR, APPROVER, ADMINISTRATOR}


def can_view_provisional_results(user) -> bool:
    """Unpublished (provisional) results: coordinators, approvers and administrators only."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=RESULT_VIEWERS).exists()


def can_view_raw_inputs(user, period: Period, unit_code: str) -> bool:
    """What a unit typed (its raw inputs), on the results pages: public only when the period says
    so (docs/open-data.md: by default the public sees scores, not inputs); otherwise those who
    may see provisional results, the unit's own people and its reviewers."""
    if period.raw_inputs_public or can_view_provisional_results(user):
        return True
    if not user.is_authenticated:
        return False
    participation = Participation.objects.filter(period=period, unit__code=unit_code).first()
    if participation is None:
        return False
    return bool(unit_roles(user, participation)) or is_reviewer_of(user, participation)


def reads_results_as_public(user) -> bool:
    """Whether `user` reads a published period's ranking exactly as the public does (so the kept
    page can be served to them): not if they may see provisional years beside it."""
    return not can_view_provisional_results(user)


def reads_scorecard_as_public(user, period: Period, unit_code: str) -> bool:
    """Whether `user` reads a unit's published scorecard exactly as the public does: not if they
    may see provisional years, nor if they see the unit's raw inputs and the public does not."""
    return reads_results_as_public(user) and can_view_raw_inputs(
        user, period, unit_code
    ) == can_view_raw_inputs(AnonymousUser(), period, unit_code)
