"""Starting a submission from the unit's previous period."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.frameworks.models import Node
from opendti.periods import revision

from .. import history_codes
from ..access import Action, require
from ..models import Answer, Change, Evidence, EvidenceLink, InputValue, Submission
from ..revision import submission_results_changed
from .answers import answer_get
from .history import change_record


def previous_submission(submission: Submission) -> Submission | None:
    """The unit's submission in the period it carries over from: the one the period names as its
    source (an annual period starting from the last quarter's values), else its previous period."""
    period = submission.participation.period
    source = period.carry_over_from_id or period.previous_id
    if source is None:
        return None
    return (
        Submission.objects.filter(
            participation__period_id=source,
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
    with revision.batch():
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
                change_record(
                    submission,
                    node,
                    Change.Kind.VALUE,
                    name,
                    "",
                    value,
                    actor,
                    history_codes.REASON_CARRY_OVER,
                )
            Answer.objects.filter(submission=submission, node=node).update(
                carried_over=True,
                version=F("version") + 1,
                updated_at=timezone.now(),
                updated_by=actor,
            )
            copied += 1
        if copied:
            submission_results_changed(submission)
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
                change_record(
                    submission,
                    nodes[code],
                    Change.Kind.EVIDENCE,
                    "link",
                    "",
                    copy.title,
                    actor,
                    history_codes.REASON_CARRY_OVER,
                )
        submission.carried_from = source
        submission.save(update_fields=["carried_from"])
    return copied
