"""Writes through the API: values of auto-measured indicators pushed by integrators."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opendti.assessments import history_codes
from opendti.assessments.forms import indicator_values_clean
from opendti.assessments.models import Answer, Submission
from opendti.assessments.services import answer_get, answer_values, values_write
from opendti.frameworks.models import Node
from opendti.numbers import Notation
from opendti.periods import revision
from opendti.periods.models import Participation, Phase

from .models import IntegratorToken
from .permissions import token_require_node, token_require_scope


def auto_value_reason(*, source: str, measured_at: datetime.datetime) -> str:
    """The history's reason for a measured value: a code with the time and the source, named
    in the reader's language when shown (portal.history_text)."""
    return history_codes.auto_measured(source, measured_at)


def auto_value_note(*, source: str, measured_at: datetime.datetime) -> str:
    when = timezone.localtime(measured_at).strftime("%H:%M %d/%m/%Y")
    with translation.override(settings.LANGUAGE_CODE):
        return _("Đo tự động: %(source)s, lúc %(when)s") % {"source": source, "when": when}


def auto_value_push(
    *,
    token: IntegratorToken,
    participation: Participation,
    node: Node,
    raw: Mapping[str, object],
    measured_at: datetime.datetime,
    source: str,
) -> Answer:
    """Store an integrator's measured inputs of an auto-measured indicator for one unit.

    Refused (PermissionDenied) outside the token's scope, for indicators the unit reports itself,
    and before the period's self-assessment has started; values arrive during appraisal too, so
    the self-assessment deadline does not apply. The answer's version is bumped like a save from
    the workspace; every changed input is a history row naming the source and the time.
    """
    token_require_scope(token, participation)
    token_require_node(token, node)
    phase = participation.period.phase(Phase.Kind.SELF_ASSESSMENT)
    if phase is None or phase.starts_on > timezone.localdate():
        raise PermissionDenied(_("Kỳ đánh giá chưa bắt đầu tự đánh giá: chưa nhận số liệu."))
    submission = Submission.objects.filter(participation=participation).first()
    current = answer_values(submission, node) if submission is not None else {}
    # Inputs not sent keep their value; the checks across inputs (a ratio's numerator not above
    # its denominator) see the stored ones. Numbers are plain decimal strings with a dot.
    cleaned = indicator_values_clean(node, raw, notation=Notation.PLAIN, current=current)
    values = {name: value for name, value in cleaned.items() if name in raw}

    reason = auto_value_reason(source=source, measured_at=measured_at)
    actor = token.user
    with revision.batch():  # the period's revision raised last, as for a save from the workspace
        submission, _created = Submission.objects.get_or_create(participation=participation)
        answer_get(submission, node)
        Answer.objects.filter(submission=submission, node=node).update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by=actor,
            carried_over=False,
            # The workspace shows the note beside an auto-measured value: its source and time, in
            # the site's language (a note is the answer's text; the history keeps the code).
            note=auto_value_note(source=source, measured_at=measured_at),
        )
        values_write(submission=submission, node=node, values=values, actor=actor, reason=reason)
        return Answer.objects.select_related("updated_by").get(submission=submission, node=node)
