"""The portal's forms besides an indicator's inputs (assessments.forms): a reviewer's decision,
the coordinator's answer to an objection, the approver's decision, reopening a submission and
evidence. They read and type what was posted (a score in Vietnamese notation, dates as the date
input or dd/mm/yyyy sends them); the services decide everything else (ranges, who, when)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from opendti.appraisal.models import Decision
from opendti.assessments.models import Evidence
from opendti.core.forms import NumberField

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_TEXT = 5000


def date_field(label: Any, invalid: Any, *, missing: Any = None) -> forms.DateField:
    messages = {"invalid": invalid}
    if missing is not None:
        messages["required"] = missing
    return forms.DateField(
        label=label,
        required=missing is not None,
        input_formats=DATE_FORMATS,
        error_messages=messages,
    )


def text_field(label: Any, *, max_length: int = MAX_TEXT) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length)


class PostedForm(forms.Form):
    """A form whose refusal is a ValidationError with every message, as the services raise."""

    def ignore(self, *names: str) -> None:
        """Fields that do not apply to what was chosen: whatever they hold is not read."""
        for name in names:
            self.errors.pop(name, None)
            self.cleaned_data[name] = None

    def checked(self) -> dict[str, Any]:
        if not self.is_valid():
            raise ValidationError([str(m) for errors in self.errors.values() for m in errors])
        return self.cleaned_data


def score_field() -> NumberField:
    return NumberField(label=_("Điểm"), required=False)


class DecisionForm(PostedForm):
    kind = forms.ChoiceField(
        choices=Decision.Kind.choices,
        error_messages={
            "required": _("Chọn chấp nhận, điều chỉnh hoặc yêu cầu bổ sung."),
            "invalid_choice": _("Chọn chấp nhận, điều chỉnh hoặc yêu cầu bổ sung."),
        },
    )
    score = score_field()
    reason = text_field(_("Lý do"))
    due_on = date_field(
        _("Hạn giải trình"), _("Hạn giải trình phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm.")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind != Decision.Kind.ADJUST:
            self.ignore("score")
        if kind != Decision.Kind.REQUEST:
            self.ignore("due_on")
        return self.cleaned_data


class ObjectionAnswerForm(PostedForm):
    verdict = forms.ChoiceField(
        choices=[("upheld", _("chấp nhận")), ("rejected", _("không chấp nhận"))],
        error_messages={
            "required": _("Chọn chấp nhận hoặc không chấp nhận ý kiến."),
            "invalid_choice": _("Chọn chấp nhận hoặc không chấp nhận ý kiến."),
        },
    )
    answer = text_field(_("Trả lời"))
    score = score_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("verdict") != "upheld":
            self.ignore("score")
        return self.cleaned_data


class ApprovalForm(PostedForm):
    decision_number = text_field(_("Số quyết định"), max_length=100)
    decision_date = date_field(
        _("Ngày quyết định"),
        _("Ngày quyết định phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm."),
        missing=_("Nhập ngày quyết định."),
    )
    signer = text_field(_("Người ký"), max_length=200)


class ReasonForm(PostedForm):
    reason = text_field(_("Lý do"))


class ReopenForm(ReasonForm):
    until = date_field(
        _("Mở đến ngày"), _("Ngày mở lại phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm.")
    )


class EvidenceForm(PostedForm):
    """Evidence of any kind; which fields matter depends on the kind (the services check)."""

    kind = forms.ChoiceField(
        choices=Evidence.Kind.choices,
        error_messages={"invalid_choice": _("Loại tài liệu không hợp lệ.")},
    )
    title = text_field(_("Tiêu đề"), max_length=300)
    url = forms.CharField(required=False, max_length=1000, strip=True)
    doc_number = text_field(_("Số văn bản"), max_length=100)
    doc_date = date_field(
        _("Ngày văn bản"), _("Ngày văn bản phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm.")
    )
    issuer = text_field(_("Cơ quan ban hành"), max_length=300)
    summary = text_field(_("Trích yếu"))
    file = forms.FileField(required=False)


class PhaseExtendForm(ReasonForm):
    """A phase's new dates, and the dates the coordinator saw when the page was loaded."""

    starts_on = date_field(
        _("Từ ngày"),
        _("Từ ngày phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm."),
        missing=_("Nhập từ ngày và đến ngày."),
    )
    ends_on = date_field(
        _("Đến ngày"),
        _("Đến ngày phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm."),
        missing=_("Nhập từ ngày và đến ngày."),
    )
    seen_starts_on = date_field(
        _("Từ ngày"), _("Từ ngày phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm.")
    )
    seen_ends_on = date_field(
        _("Đến ngày"), _("Đến ngày phải có dạng YYYY-MM-DD hoặc ngày/tháng/năm.")
    )
