"""Answers to indicators: inputs read and checked by the indicator's form, saved with optimistic
concurrency."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.frameworks.models import Node
from opendti.numbers import Notation
from opendti.periods import revision

from .. import history_codes
from ..access import Action, require
from ..forms import indicator_values_clean
from ..inputs import Field, indicator_fields
from ..models import Answer, Change, InputValue, Submission
from ..revision import submission_values_changed
from .history import change_record, change_record_confirmed

__all__ = [
    "Conflict",
    "Field",
    "answer_confirm",
    "answer_get",
    "answer_save",
    "answer_values",
    "indicator_fields",
    "values_write",
]


class Conflict(Exception):
    """Someone saved the indicator after the form was loaded: nothing of this save was written."""

    def __init__(self, *, answer: Answer, theirs: dict[str, str], yours: dict[str, str]) -> None:
        super().__init__(_("Chỉ số đã được người khác lưu trước; bản của bạn chưa được lưu."))
        self.answer = answer
        self.theirs = theirs
        self.yours = yours


def answer_values(submission: Submission, node: Node) -> dict[str, str]:
    return dict(
        InputValue.objects.filter(submission=submission, node=node).values_list(
            "input_name", "value"
        )
    )


def answer_get(submission: Submission, node: Node) -> Answer:
    Answer.objects.bulk_create([Answer(submission=submission, node=node)], ignore_conflicts=True)
    return Answer.objects.get(submission=submission, node=node)


def values_write(
    *, submission: Submission, node: Node, values: dict[str, str], actor, reason: str
) -> None:
    """Write an indicator's normalised values ('' removes one), a history row for each change.

    Callers hold the transaction and have checked access and the answer's version.
    """
    before = answer_values(submission, node)
    changed = False
    for name, value in values.items():
        old = before.get(name, "")
        if value == old:
            continue
        if value:
            InputValue.objects.update_or_create(
                submission=submission, node=node, input_name=name, defaults={"value": value}
            )
        else:
            InputValue.objects.filter(submission=submission, node=node, input_name=name).delete()
        change_record(submission, node, Change.Kind.VALUE, name, old, value, actor, reason)
        changed = True
    if changed:  # the values are what the engine reads: the period's results change with them
        submission_values_changed(submission, [node.code])


def answer_save(
    *,
    submission: Submission,
    node: Node,
    raw: Mapping[str, object],
    version: int,
    actor,
    is_estimate: bool | None = None,
    note: str | None = None,
    reason: str = "",
    notation: Notation = Notation.VI,
) -> Answer:
    """Save an indicator's inputs if nobody saved it since `version`; Conflict otherwise.

    `raw` is read by the indicator's form in `notation`: as a person types (the default), or the
    canonical text a form or a checked upload already produced (`Notation.PLAIN`).

    The version is bumped by one conditional UPDATE, which the database serialises: of two
    simultaneous saves from the same version exactly one matches, the other gets Conflict.
    """
    require(actor, Action.EDIT, submission, node)
    if node.source != Node.Source.SELF:
        raise ValidationError(_("Chỉ số này không do đơn vị tự nhập."))
    # Every input is given: one left out is cleared, as an emptied box is.
    given = {f.name: raw.get(f.name, "") for f in indicator_fields(node)}
    unknown = set(raw) - set(given)
    if unknown:
        raise ValidationError(_("Đầu vào không thuộc chỉ số: %s") % ", ".join(sorted(unknown)))
    values = indicator_values_clean(node, given, notation=notation)

    # The revision is raised at the end (revision.batch): the answer's row is locked first, the
    # period's last, so savers of one period wait on it only for the commit.
    with revision.batch():
        answer_get(submission, node)
        changes: dict[str, object] = {
            "version": F("version") + 1,
            "updated_at": timezone.now(),
            "updated_by": actor,
            "carried_over": False,
        }
        if is_estimate is not None:
            changes["is_estimate"] = is_estimate
        if note is not None:
            changes["note"] = note
        before_answer = Answer.objects.get(submission=submission, node=node)
        matched = Answer.objects.filter(submission=submission, node=node, version=version).update(
            **changes
        )
        if not matched:
            current = Answer.objects.get(submission=submission, node=node)
            raise Conflict(
                answer=current,
                theirs=answer_values(submission, node),
                yours={k: v for k, v in values.items() if v},
            )
        values_write(submission=submission, node=node, values=values, actor=actor, reason=reason)
        answer = Answer.objects.get(submission=submission, node=node)
        if answer.is_estimate != before_answer.is_estimate:
            change_record(
                submission,
                node,
                Change.Kind.FLAG,
                "is_estimate",
                _flag(before_answer.is_estimate),
                _flag(answer.is_estimate),
                actor,
                reason,
            )
        if answer.note != before_answer.note:
            change_record(
                submission, node, Change.Kind.VALUE, "note", before_answer.note, answer.note, actor
            )
        if before_answer.carried_over:
            change_record_confirmed(submission, node, actor)
        return answer


def _flag(value: bool) -> str:
    return history_codes.flag(value)  # a code; the reader's language names it


def answer_confirm(*, submission: Submission, node: Node, actor) -> None:
    """Confirm a value carried over from the previous period as still true."""
    require(actor, Action.EDIT, submission, node)
    with transaction.atomic():
        if Answer.objects.filter(submission=submission, node=node, carried_over=True).update(
            carried_over=False, version=F("version") + 1
        ):
            change_record_confirmed(submission, node, actor)
