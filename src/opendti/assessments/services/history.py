"""The history of a submission: every change is a row, only ever added."""

from __future__ import annotations

from opendti.frameworks.models import Node

from .. import history_codes
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
        history_codes.UNCONFIRMED,
        history_codes.CONFIRMED,
        actor,
    )
