"""A period's framework from a framework template (bộ chỉ số mẫu) in the coordinator's console
(docs/console.md): choose a template, supply what its decision leaves unstated, see the
difference from last year's framework, confirm. All of it or nothing.

Nothing the browser sends back is trusted beyond the supplied values themselves: the preview
and the confirmation both fill the template again from them (frameworks.catalog checks every
value, reads numbers the Vietnamese way and names each missing one), and the confirmation is
refused when the period's framework changed since the preview. Switching the period follows
the rules of the file import (results.framework_upload): refused once self-assessment started.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from opendti.frameworks.catalog import (
    Template,
    TemplateError,
    template_diff,
    template_get,
    template_import,
)
from opendti.frameworks.models import Framework
from opendti.periods.models import Period

from .framework_switch import period_for_framework_switch, period_framework_switch
from .framework_upload import Line


def template_baseline(period: Period) -> Framework:
    """What a template is compared with: the framework of the period's previous period (last
    year's), or else the period's current framework."""
    previous = period.previous
    return previous.framework if previous is not None else period.framework


def template_fields(template: Template) -> list[tuple[str, str, str]]:
    """(field name, key, label) for each value the decision leaves unstated. The field names
    are positions, as keys hold dots and Vietnamese band labels."""
    return [(f"v{i}", item.key, item.label) for i, item in enumerate(template.missing)]


def template_supplements(template: Template, posted: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(posted.get(name, "")).strip() for name, key, _label in template_fields(template)
    }


@dataclass
class TemplatePlan:
    template: Template
    against: Framework
    supplements: dict[str, str]
    version: int = 0  # the version the template would become
    errors: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _level_error(template: Template, period: Period) -> str | None:
    level = period.framework.level
    if template.level == level.code:
        return None
    return _(
        "Mẫu “%(title)s” là bộ chỉ số %(level)s, không dùng được cho kỳ %(period)s (%(ours)s)."
    ) % {
        "title": template.title,
        "level": template.level_name,
        "period": period.title,
        "ours": level.name,
    }


def framework_template_plan(
    *, period: Period, slug: str, supplements: Mapping[str, str]
) -> TemplatePlan:
    """Every problem with the supplied values (each missing or invalid one named), or the
    difference the template would make against last year's framework. Writes nothing."""
    template = template_get(slug)
    plan = TemplatePlan(template=template, against=template_baseline(period), supplements={})
    plan.supplements = dict(supplements)
    level = _level_error(template, period)
    if level:
        plan.errors = [level]
        return plan
    try:
        diff = template_diff(slug, supplements, plan.against, year=period.year)
    except TemplateError as error:
        plan.errors = list(error.messages)
        return plan
    code = template.document["meta"]["code"]
    latest = Framework.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    plan.version = (latest or 0) + 1
    plan.lines = [Line(c.part, c.kind, c.code, str(c)) for c in diff.entries]
    plan.counts = dict(Counter(line.kind for line in plan.lines))
    return plan


@transaction.atomic
def framework_template_confirm(
    *,
    period: Period,
    slug: str,
    supplements: Mapping[str, str],
    actor: Any,
    seen_framework: int,
) -> Framework:
    """Import the template as a new framework version and give it to the period (which has not
    opened), recording the change in the period's history and the audit log."""
    period = period_for_framework_switch(
        period=period,
        seen_framework=seen_framework,
        stale=_(
            "Bộ chỉ số của kỳ vừa được thay đổi sau khi xem trước: hãy xem lại khác biệt "
            "trước khi xác nhận."
        ),
    )
    template = template_get(slug)
    level = _level_error(template, period)
    if level:
        raise ValidationError(level)
    try:
        new = template_import(slug, supplements, year=period.year)
    except TemplateError as error:
        raise ValidationError(list(error.messages)) from None
    period_framework_switch(
        period=period,
        new=new,
        actor=actor,
        detail={
            "template": slug,
            "decision": template.decision_number,
            "supplements": dict(supplements),
        },
    )
    return new


__all__ = [
    "TemplatePlan",
    "framework_template_confirm",
    "framework_template_plan",
    "template_baseline",
    "template_fields",
    "template_supplements",
]
