"""Answers to indicators: typed inputs normalised, saved with optimistic concurrency."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.frameworks.models import InputSpec, Node

from ..access import Action, require
from ..models import Answer, Change, InputValue, Submission
from .history import change_record, change_record_confirmed


class Conflict(Exception):
    """Someone saved the indicator after the form was loaded: nothing of this save was written."""

    def __init__(self, *, answer: Answer, theirs: dict[str, str], yours: dict[str, str]) -> None:
        super().__init__(_("Chỉ số đã được người khác lưu trước; bản của bạn chưa được lưu."))
        self.answer = answer
        self.theirs = theirs
        self.yours = yours


@dataclass(frozen=True)
class Field:
    """One input of an indicator as the form shows it."""

    name: str
    label: str
    type: str
    unit: str
    min: Decimal | None
    max: Decimal | None
    choices: list[str]


def indicator_fields(node: Node) -> list[Field]:
    specs = sorted(node.inputs.all(), key=lambda s: s.order)
    return [
        Field(s.name, s.label or s.name, s.type, s.unit, s.min_value, s.max_value, list(s.choices))
        for s in specs
    ]


def value_normalise(field: Field, raw: str) -> str:
    """The canonical text of a typed value ('' for no answer); ValidationError names the field."""
    # Some Vietnamese keyboards type decomposed letters (C + o + U+0301 for "Có"): compare in NFC.
    text = unicodedata.normalize("NFC", raw).strip()
    if text == "":
        return ""
    label = field.label or _("giá trị")
    if field.type in (InputSpec.Type.NUMBER, InputSpec.Type.PERCENT):
        # Vietnamese writes 12,5; a space or a dot may group thousands (1.234,5 / 1 234,5).
        candidate = text.replace(" ", "").replace("\u00a0", "")
        if "," in candidate:
            candidate = candidate.replace(".", "").replace(",", ".")
        try:
            number = Decimal(candidate)
        except InvalidOperation:
            raise ValidationError(
                _("%(label)s: “%(value)s” không phải là số.") % {"label": label, "value": text}
            ) from None
        if not number.is_finite():
            raise ValidationError(_("%(label)s: giá trị không hợp lệ.") % {"label": label})
        return format(number.normalize(), "f")
    if field.type == InputSpec.Type.YESNO:
        lowered = text.lower()
        if lowered in ("yes", "có", "co", "1", "true"):
            return "yes"
        if lowered in ("no", "không", "khong", "0", "false"):
            return "no"
        raise ValidationError(_("%(label)s: chọn Có hoặc Không.") % {"label": label})
    if field.type == InputSpec.Type.CHOICE:
        if text not in field.choices:
            raise ValidationError(
                _("%(label)s: “%(value)s” không thuộc các lựa chọn.")
                % {"label": label, "value": text}
            )
        return text
    if field.type == InputSpec.Type.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(
                _("%(label)s: ngày phải có dạng YYYY-MM-DD.") % {"label": label}
            ) from None
    return text


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


def answer_save(
    *,
    submission: Submission,
    node: Node,
    raw: dict[str, str],
    version: int,
    actor,
    is_estimate: bool | None = None,
    note: str | None = None,
    reason: str = "",
) -> Answer:
    """Save an indicator's inputs if nobody saved it since `version`; Conflict otherwise.

    The version is bumped by one conditional UPDATE, which the database serialises: of two
    simultaneous saves from the same version exactly one matches, the other gets Conflict.
    """
    require(actor, Action.EDIT, submission, node)
    if node.source != Node.Source.SELF:
        raise ValidationError(_("Chỉ số này không do đơn vị tự nhập."))
    fields = indicator_fields(node)
    names = {f.name for f in fields}
    unknown = set(raw) - names
    if unknown:
        raise ValidationError(_("Đầu vào không thuộc chỉ số: %s") % ", ".join(sorted(unknown)))
    errors = []
    values: dict[str, str] = {}
    for field in fields:
        try:
            values[field.name] = value_normalise(field, raw.get(field.name, ""))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
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
    return _("có") if value else _("không")


def answer_confirm(*, submission: Submission, node: Node, actor) -> None:
    """Confirm a value carried over from the previous period as still true."""
    require(actor, Action.EDIT, submission, node)
    with transaction.atomic():
        if Answer.objects.filter(submission=submission, node=node, carried_over=True).update(
            carried_over=False, version=F("version") + 1
        ):
            change_record_confirmed(submission, node, actor)
