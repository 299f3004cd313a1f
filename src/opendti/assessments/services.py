"""Writes on a submission: answers, flags, hand-overs, submission, reopening, carry-over, reminders.

Every service is keyword-only, atomic, re-checks access through `access.require`, and writes the
history (`Change`) rows for what it changed.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.frameworks.models import InputSpec, Node
from opendti.periods.models import Membership, Participation

from .access import Action, require
from .models import Answer, Change, Evidence, EvidenceLink, IndexAssignment, InputValue, Submission


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


def _record(submission, node, kind, field, before, after, actor, reason="") -> Change:
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
                InputValue.objects.filter(
                    submission=submission, node=node, input_name=name
                ).delete()
            _record(submission, node, Change.Kind.VALUE, name, old, value, actor, reason)
        answer = Answer.objects.get(submission=submission, node=node)
        if answer.is_estimate != before_answer.is_estimate:
            _record(
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
            _record(
                submission, node, Change.Kind.VALUE, "note", before_answer.note, answer.note, actor
            )
        if before_answer.carried_over:
            _record_confirmed(submission, node, actor)
        return answer


def _record_confirmed(submission: Submission, node: Node, actor) -> None:
    _record(
        submission,
        node,
        Change.Kind.FLAG,
        "carried_over",
        _("chưa xác nhận"),
        _("đã xác nhận"),
        actor,
    )


def _flag(value: bool) -> str:
    return _("có") if value else _("không")


def answer_confirm(*, submission: Submission, node: Node, actor) -> None:
    """Confirm a value carried over from the previous period as still true."""
    require(actor, Action.EDIT, submission, node)
    with transaction.atomic():
        if Answer.objects.filter(submission=submission, node=node, carried_over=True).update(
            carried_over=False, version=F("version") + 1
        ):
            _record_confirmed(submission, node, actor)


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
        _record(
            submission, node, Change.Kind.ASSIGNMENT, "assignee", before, str(user or ""), actor
        )


def submission_submit(*, submission: Submission, actor, blocking: int) -> None:
    """The unit leader submits; refused while blocking checks remain (counted by the caller
    from the same checks the workspace shows)."""
    require(actor, Action.SUBMIT, submission)
    if submission.status == Submission.Status.SUBMITTED:
        raise ValidationError(_("Phiếu đã được gửi."))
    if blocking:
        raise ValidationError(_("Còn %(n)d lỗi phải sửa trước khi gửi.") % {"n": blocking})
    _set_status(submission, Submission.Status.SUBMITTED, actor, "")


def submission_recall(*, submission: Submission, actor, reason: str) -> None:
    """Before the deadline the leader may take a submission back to correct it."""
    require(actor, Action.SUBMIT, submission)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Phiếu chưa được gửi."))
    _set_status(submission, Submission.Status.DRAFT, actor, reason)


def submission_reopen(*, submission: Submission, actor, until: datetime.date, reason: str) -> None:
    """The coordinator reopens one unit after the deadline, with a recorded reason."""
    require(actor, Action.REOPEN, submission)
    if not reason.strip():
        raise ValidationError(_("Cần ghi rõ lý do mở lại."))
    if until < timezone.localdate():
        raise ValidationError(_("Ngày mở lại đến phải từ hôm nay trở đi."))
    with transaction.atomic():
        before = submission.reopened_until
        submission.reopened_until = until
        submission.save(update_fields=["reopened_until"])
        _record(
            submission,
            None,
            Change.Kind.STATUS,
            "reopened_until",
            before.isoformat() if before else "",
            until.isoformat(),
            actor,
            reason,
        )
        if submission.status != Submission.Status.DRAFT:
            _set_status(submission, Submission.Status.DRAFT, actor, reason)


def _set_status(submission: Submission, status: str, actor, reason: str) -> None:
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        before = locked.status
        locked.status = status
        if status == Submission.Status.SUBMITTED:
            locked.submitted_at = timezone.now()
            locked.submitted_by = actor
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
        _record(submission, None, Change.Kind.STATUS, "status", before, status, actor, reason)
        submission.status = locked.status
        submission.submitted_at = locked.submitted_at
        submission.submitted_by = locked.submitted_by


def previous_submission(submission: Submission) -> Submission | None:
    """The unit's submission in the period's previous period, if any."""
    period = submission.participation.period
    if period.previous_id is None:
        return None
    return (
        Submission.objects.filter(
            participation__period_id=period.previous_id,
            participation__unit_id=submission.participation.unit_id,
        )
        .select_related("participation__period")
        .first()
    )


# What an evidence item says (not who added it, when, or for which submission).
EVIDENCE_CONTENT = (
    "kind", "title", "storage_path", "original_name", "content_type", "size", "sha256", "url",
    "doc_number", "doc_date", "issuer", "summary",
)  # fmt: skip


def submission_carry_over(*, submission: Submission, actor) -> int:
    """Start from the previous period: copy inputs and evidence for indicators with the same code
    and inputs, each marked as carried over until someone confirms it. Returns the count copied."""
    require(actor, Action.EDIT, submission)
    source = previous_submission(submission)
    if source is None:
        raise ValidationError(_("Không có phiếu kỳ trước của đơn vị để nhập tiếp."))
    framework = submission.participation.period.framework
    nodes = {
        n.code: n
        for n in Node.objects.filter(framework=framework, source=Node.Source.SELF).prefetch_related(
            "inputs"
        )
    }
    copied = 0
    with transaction.atomic():
        if InputValue.objects.filter(submission=submission).exists():
            raise ValidationError(
                _("Phiếu đã có số liệu; chỉ nhập tiếp từ kỳ trước khi phiếu còn trống.")
            )
        old_values: dict[str, dict[str, str]] = {}
        for code, name, value in InputValue.objects.filter(submission=source).values_list(
            "node__code", "input_name", "value"
        ):
            old_values.setdefault(code, {})[name] = value
        for code, values in old_values.items():
            node = nodes.get(code)
            if node is None or set(values) - {s.name for s in node.inputs.all()}:
                continue  # not comparable across framework versions: left for the unit
            answer_get(submission, node)
            for name, value in values.items():
                InputValue.objects.create(
                    submission=submission, node=node, input_name=name, value=value
                )
                _record(
                    submission,
                    node,
                    Change.Kind.VALUE,
                    name,
                    "",
                    value,
                    actor,
                    _("nhập tiếp từ kỳ trước"),
                )
            Answer.objects.filter(submission=submission, node=node).update(
                carried_over=True,
                version=F("version") + 1,
                updated_at=timezone.now(),
                updated_by=actor,
            )
            copied += 1
        for evidence in Evidence.objects.filter(submission=source).prefetch_related("links__node"):
            codes = [link.node.code for link in evidence.links.all() if link.node.code in nodes]
            if not codes:
                continue  # it backs nothing that exists in this framework
            copy = Evidence.objects.create(
                submission=submission,
                carried_over=True,
                created_by=actor,
                **{name: getattr(evidence, name) for name in EVIDENCE_CONTENT},
            )
            for code in codes:
                EvidenceLink.objects.create(evidence=copy, node=nodes[code])
                _record(
                    submission,
                    nodes[code],
                    Change.Kind.EVIDENCE,
                    "link",
                    "",
                    copy.title,
                    actor,
                    _("nhập tiếp từ kỳ trước"),
                )
        submission.carried_from = source
        submission.save(update_fields=["carried_from"])
    return copied


def submission_remind(*, submission: Submission, actor, message: str = "") -> int:
    """E-mail the unit's people about their submission; returns how many were written to."""
    require(actor, Action.REMIND, submission)
    participation: Participation = submission.participation
    emails = sorted(
        {m.user.email for m in participation.memberships.select_related("user") if m.user.email}
    )
    subject = _("[OpenDTI] Nhắc nhở hoàn thành phiếu tự đánh giá: %(unit)s") % {
        "unit": participation.unit.name
    }
    body = message or _(
        "Đề nghị đơn vị hoàn thành và gửi phiếu tự đánh giá kỳ %(period)s đúng hạn."
    ) % {"period": participation.period.title}
    # One message per person: colleagues' addresses are not shown to each other.
    send_mass_mail([(subject, body, None, [email]) for email in emails])
    _record(submission, None, Change.Kind.REMINDER, "email", "", ", ".join(emails), actor, body)
    return len(emails)
