"""The console's forms for targets and for the component indicators' level bounds
(results.targets, results.levels). Numbers are typed as people write them (`1.234,5`), read by
opendti.numbers through core.forms.NumberField."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opendti.core.forms import NumberField
from opendti.results.models import Target

REASON = _("Lý do thay đổi (lưu trong lịch sử)")


class TargetForm(forms.Form):
    """`subject` is "unit:<code>" or "group:<code>"; `node` "" for the total."""

    subject = forms.ChoiceField(
        label=_("Áp dụng cho"), error_messages={"required": _("Hãy chọn đơn vị hoặc nhóm.")}
    )
    node = forms.ChoiceField(label=_("Chỉ số"), required=False)
    measure = forms.ChoiceField(label=_("Loại mục tiêu"), choices=Target.Measure.choices)
    value = NumberField(label=_("Giá trị mục tiêu"), min_value=Decimal(0))
    reason = forms.CharField(label=REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args,
        units: list[tuple[str, str]],
        groups: list[tuple[str, str]],
        mains: list[tuple[str, str]],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        subject = self.fields["subject"]
        node = self.fields["node"]
        assert isinstance(subject, forms.ChoiceField) and isinstance(node, forms.ChoiceField)
        subject.choices = [
            ("", "—"),
            (_("Nhóm xếp hạng (mọi đơn vị của nhóm)"), [(f"group:{c}", n) for c, n in groups]),
            (_("Đơn vị"), [(f"unit:{c}", n) for c, n in units]),
        ]
        node.choices = [("", _("Tổng điểm")), *mains]
        self.fields["value"].required = True
        self.fields["value"].error_messages["required"] = _("Giá trị mục tiêu: chưa nhập.")
        self.fields["reason"].error_messages["required"] = _("Lý do thay đổi: chưa nhập.")

    def target(self) -> dict:
        scope, _sep, code = self.cleaned_data["subject"].partition(":")
        return {
            "scope": scope,
            "subject": code,
            "node": self.cleaned_data["node"] or "",
            "measure": self.cleaned_data["measure"],
            "value": self.cleaned_data["value"],
            "reason": self.cleaned_data["reason"],
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Lý do thay đổi: chưa nhập.")},
    )


class ThresholdsForm(forms.Form):
    good = NumberField(
        label=_("Mức khá từ (% điểm tối đa của chỉ số)"),
        percent=True,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
    )
    fair = NumberField(
        label=_("Mức trung bình từ (% điểm tối đa của chỉ số)"),
        percent=True,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
    )
    reason = forms.CharField(
        label=REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Lý do thay đổi: chưa nhập.")},
    )
