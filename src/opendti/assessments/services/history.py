"""The history of a submission: every change is a row, only ever added."""

from __future__ import annotations

from django.utils.translation import gettext as _

from opendti.frameworks.models import Node

from ..models import Change, Submission


def change_record(submission, node, kind, field, before, after, actor, reason="") -> Change:
    return Change.objects.create(
        submission=submission,
        node=node,
        kind=kind,
        field=field,
        before=before,
        after=after,
        actor=actor,
        reason=reason,
    )


def change_record_confirmed(submission: Submission, node: Node, actor) -> None:
    change_record(
        submission,
        node,
        Change.Kind.FLAG,
        "carried_over",
        _("chưa xác nhận"),
        _("đã xác nhận"),
        actor,
    )
