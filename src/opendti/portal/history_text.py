"""History rows as people read them: the codes the history stores (assessments.history_codes)
named in the reader's language when the row is shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.appraisal.models import Decision, Objection
from opendti.assessments.history_codes import (
    AUTO_MEASURED,
    DECISION,
    OBJECTION,
    ROUND_OPENED,
    WORDS,
)


def _date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _decision_text(code: str) -> str:
    body, _bar, state = code[len(DECISION) :].partition("|")
    kind, _colon, detail = body.partition(":")
    parts = []
    if kind in Decision.Kind.values:
        label = str(Decision.Kind(kind).label)
        if detail and kind == Decision.Kind.ADJUST:
            label = f"{label}: {numbers.vi(Decimal(detail), trim=True)}"
        elif detail:
            label = f"{label} ({_date(detail)})"
        parts.append(label)
    if state in Decision.State.values:
        parts.append(str(Decision.State(state).label))
    return " — ".join(parts) or code


def _objection_text(code: str) -> str:
    state, _colon, score = code[len(OBJECTION) :].partition(":")
    if state not in Objection.State.values:
        return code
    label = str(Objection.State(state).label)
    return f"{label}: {numbers.vi(Decimal(score), trim=True)}" if score else label


def _auto_measured_text(code: str) -> str:
    when, _bar, source = code[len(AUTO_MEASURED) :].partition("|")
    local = timezone.localtime(datetime.datetime.fromisoformat(when))
    return _("Đo tự động: %(source)s, lúc %(when)s") % {
        "source": source,
        "when": local.strftime("%H:%M %d/%m/%Y"),
    }


def text(stored: str) -> str:
    """A stored history value or reason as the reader reads it; anything else unchanged (a
    person's own words, or a row written before the codes)."""
    if stored in WORDS:
        return str(WORDS[stored])
    try:
        if stored.startswith(ROUND_OPENED):
            return _("Mở lần thẩm định %(n)s") % {"n": stored[len(ROUND_OPENED) :]}
        if stored.startswith(DECISION):
            return _decision_text(stored)
        if stored.startswith(OBJECTION):
            return _objection_text(stored)
        if stored.startswith(AUTO_MEASURED):
            return _auto_measured_text(stored)
    except (ArithmeticError, ValueError):
        return stored
    return stored
