"""Handing main indices to colleagues of the same unit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opendti.frameworks.models import Node
from opendti.periods.models import Membership

from ..access import Action, require
from ..models import Change, IndexAssignment, Submission
from .history import change_record


def index_assign(*, submission: Submission, node: Node, user, actor) -> None:
    """Hand a main index to a colleague of the same unit (None gives it back to the focal point)."""
    require(actor, Action.ASSIGN, submission)
    if node.kind != Node.Kind.MAIN:
        raise ValidationError(_("Chỉ phân công được chỉ số chính."))
    if (
        user is not None
        and not Membership.objects.filter(
            participation=submission.participation, user=user
        ).exists()
    ):
        raise ValidationError(_("Người được phân công phải thuộc đơn vị."))
    with transaction.atomic():
        old = IndexAssignment.objects.filter(submission=submission, node=node).first()
        before = str(old.user) if old else ""
        if user is None:
            IndexAssignment.objects.filter(submission=submission, node=node).delete()
        else:
            IndexAssignment.objects.update_or_create(
                submission=submission, node=node, defaults={"user": user}
            )
            if (
                not Membership.objects.filter(
                    participation=submission.participation,
                    user=user,
                    role=Membership.Role.CONTRIBUTOR,
                ).exists()
                and not Membership.objects.filter(
                    participation=submission.participation,
                    user=user,
                    role=Membership.Role.FOCAL_POINT,
                ).exists()
            ):
                Membership.objects.create(
                    participation=submission.participation,
                    user=user,
                    role=Membership.Role.CONTRIBUTOR,
                )
        change_record(
            submission, node, Change.Kind.ASSIGNMENT, "assignee", before, str(user or ""), actor
        )
