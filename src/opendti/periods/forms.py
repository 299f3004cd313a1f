"""The coordinator's console forms for a period (docs/console.md): its settings, with the level
its framework must be of, and its phases with dates. Vietnamese labels; every error names the
field or the phase's row. The services (periods.services) write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from opendti.frameworks.models import Framework, Level

from .calendar import phase_label
from .models import Period, Phase
from .services import SETTINGS, PhasePlan

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FrameworkChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Framework) -> str:
        return _("%(name)s — phiên bản %(version)d (%(level)s, năm %(year)d)") % {
            "name": obj.name,
            "version": obj.version,
            "level": obj.level.name,
            "year": obj.year,
        }


class PeriodForm(forms.ModelForm):
    """A period's settings. The level is chosen first and the framework version must be one of
    that level; the band scheme is the framework version's own (shown beside the choice)."""

    level = forms.ModelChoiceField(
        label=_("Cấp đánh giá"),
        queryset=Level.objects.order_by("name"),
        error_messages={"required": _("Hãy chọn cấp đánh giá.")},
    )
    framework = FrameworkChoice(
        label=_("Bộ chỉ số (phiên bản)"),
        queryset=Framework.objects.select_related("level").order_by("code", "-version"),
        error_messages={"required": _("Hãy chọn bộ chỉ số và phiên bản.")},
    )

    class Meta:
        model = Period
        fields = [name for name in SETTINGS if name != "label"]
        labels = {
            "code": _("Mã kỳ (dùng trong địa chỉ trang)"),
            "title": _("Tên kỳ"),
            "year": _("Năm"),
            "cadence": _("Chu kỳ"),
            "quarter": _("Quý"),
            "decimals": _("Số chữ số thập phân khi làm tròn"),
            "display": _("Hiển thị kết quả theo"),
            "band_on": _("Xếp loại theo"),
            "not_deployed_policy": _("Chỉ số chưa triển khai"),
            "raw_inputs_public": _("Công khai số liệu đầu vào của đơn vị"),
            "review_rounds": _("Số lần thẩm định"),
            "previous": _("Kỳ trước (để so sánh và đề xuất đơn vị)"),
            "assessed_from": _("Đánh giá từ ngày"),
            "assessed_to": _("Đánh giá đến ngày"),
        }
        widgets = {"assessed_from": DATE, "assessed_to": DATE}
        error_messages = {
            "code": {
                "required": _("Hãy nhập mã kỳ, ví dụ 2027-communes."),
                "invalid": _("Mã kỳ chỉ gồm chữ không dấu, số, dấu gạch ngang và gạch dưới."),
                "unique": _("Đã có kỳ đánh giá với mã này: hãy chọn mã khác."),
            },
            "title": {"required": _("Hãy nhập tên kỳ.")},
            "year": {"required": _("Hãy nhập năm."), "invalid": _("Năm phải là số, ví dụ 2027.")},
            "decimals": {"invalid": _("Số chữ số thập phân phải là số từ 0 đến 6.")},
            "review_rounds": {"invalid": _("Số lần thẩm định phải là số từ 1 đến 5.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The level before the framework: it says which framework versions fit.
        self.order_fields(["code", "title", "level", "framework"])
        for name in ("assessed_from", "assessed_to"):
            date = self.fields[name]
            assert isinstance(date, forms.DateField)
            date.input_formats = DATE_FORMATS
            date.error_messages["invalid"] = _("Ngày không hợp lệ (dd/mm/yyyy).")
        previous = self.fields["previous"]
        assert isinstance(previous, forms.ModelChoiceField)
        previous.queryset = Period.objects.select_related("framework__level").order_by(
            "-year", "code"
        )
        if self.instance.pk is not None:
            previous.queryset = previous.queryset.exclude(pk=self.instance.pk)
            self.fields["code"].disabled = True  # the period's address stays
            self.initial.setdefault("level", self.instance.framework.level_id)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError(_("Năm phải từ 2000 đến 2100."))
        return year

    def clean_decimals(self) -> int:
        decimals = self.cleaned_data["decimals"]
        if decimals is None or not 0 <= decimals <= 6:
            raise ValidationError(_("Số chữ số thập phân phải từ 0 đến 6."))
        return decimals

    def clean_review_rounds(self) -> int:
        rounds = self.cleaned_data["review_rounds"]
        if rounds is None or not 1 <= rounds <= 5:
            raise ValidationError(_("Số lần thẩm định phải từ 1 đến 5."))
        return rounds

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, framework = data.get("level"), data.get("framework")
        if level is not None and framework is not None and framework.level_id != level.pk:
            self.add_error(
                "framework",
                _("Bộ chỉ số này dành cho %(its)s, không phải %(chosen)s.")
                % {"its": framework.level.name, "chosen": level.name},
            )
        previous = data.get("previous")
        if level is not None and previous is not None and previous.framework.level_id != level.pk:
            self.add_error(
                "previous",
                _("Kỳ trước phải cùng cấp đánh giá (%(level)s).") % {"level": level.name},
            )
        cadence, quarter = data.get("cadence"), data.get("quarter")
        if cadence == Period.Cadence.QUARTERLY and quarter not in (1, 2, 3, 4):
            self.add_error("quarter", _("Kỳ hằng quý cần chọn quý từ 1 đến 4."))
        if cadence == Period.Cadence.ANNUAL and quarter:
            self.add_error("quarter", _("Kỳ hằng năm không chọn quý: hãy để trống."))
        start, end = data.get("assessed_from"), data.get("assessed_to")
        if (start is None) != (end is None):
            self.add_error(
                "assessed_to", _("Thời gian đánh giá cần cả ngày bắt đầu và ngày kết thúc.")
            )
        elif start is not None and end is not None and end < start:
            self.add_error("assessed_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def settings(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("level", None)
        return data


PHASE_KINDS = [("", _("— chọn giai đoạn —")), *Phase.Kind.choices]


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Giai đoạn"), choices=PHASE_KINDS, required=False)
    round_number = forms.IntegerField(
        label=_("Lần"),
        required=False,
        min_value=1,
        max_value=5,
        error_messages={
            "invalid": _("Lần phải là số."),
            "min_value": _("Lần từ 1 đến 5."),
            "max_value": _("Lần từ 1 đến 5."),
        },
    )
    starts_on = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE,
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )
    ends_on = forms.DateField(
        label=_("Đến hết ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE,
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, start, end = data.get("kind"), data.get("starts_on"), data.get("ends_on")
        if not kind and start is None and end is None:
            return data  # an empty row: ignored
        if not kind:
            self.add_error("kind", _("Hãy chọn giai đoạn."))
        if start is None and "starts_on" not in self.errors:
            self.add_error("starts_on", _("Hãy nhập ngày bắt đầu."))
        if end is None and "ends_on" not in self.errors:
            self.add_error("ends_on", _("Hãy nhập ngày kết thúc."))
        if start is not None and end is not None and end < start:
            self.add_error("ends_on", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        rounds = (Phase.Kind.APPRAISAL, Phase.Kind.EXPLANATION)
        if kind and kind not in rounds and data.get("round_number"):
            self.add_error("round_number", _("Chỉ thẩm định và giải trình có lần."))
        return data

    def plan(self) -> PhasePlan | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        start: datetime.date = data["starts_on"]
        end: datetime.date = data["ends_on"]
        return (data["kind"], data.get("round_number"), start, end)


class BasePhaseFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        plans = [plan for form in self.forms if (plan := form.plan()) is not None]
        kinds = [(kind, n) for kind, n, _s, _e in plans]
        for kind, n in sorted(set(kinds), key=str):
            if kinds.count((kind, n)) > 1:
                raise ValidationError(
                    _("Giai đoạn “%(phase)s” được nhập hai lần.") % {"phase": phase_label(kind, n)}
                )
        if Phase.Kind.SELF_ASSESSMENT not in {kind for kind, _n in kinds}:
            raise ValidationError(
                _(
                    "Cần có giai đoạn tự đánh giá: ngoài thời gian đó đơn vị không nhập được số liệu."
                )
            )

    def plan(self) -> list[PhasePlan]:
        return [plan for form in self.forms if (plan := form.plan()) is not None]


PhaseFormSet = forms.formset_factory(PhaseForm, formset=BasePhaseFormSet, extra=3, max_num=30)


def phase_initial(period: Period) -> list[dict[str, Any]]:
    return [
        {"kind": p.kind, "round_number": p.round_number, "starts_on": p.starts_on,
         "ends_on": p.ends_on}
        for p in period.phases.order_by("order", "pk")
    ]  # fmt: skip
