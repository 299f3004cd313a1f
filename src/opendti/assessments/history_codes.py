"""What the history stores for the system's own words, and how a person reads it.

A history row is written once and read for years, by people who read Vietnamese or English: so
the row holds codes (`yes`, `confirmed`, `decision:adjust:25`, `system:carry_over`) and the words
are chosen when the row is shown, in the reader's language. Rows written before the codes hold
the words of their writer's language; they are shown as they are (`portal.history_text` returns
unknown text unchanged), and the migration `history_codes` turned the known ones into codes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy

from opendti import numbers

YES, NO = "yes", "no"
CONFIRMED, UNCONFIRMED = "confirmed", "unconfirmed"
SYSTEM = "system:"
DECISION = "decision:"
OBJECTION = "objection:"
REASON_CARRY_OVER = SYSTEM + "carry_over"
REASON_EXCEL = SYSTEM + "excel_upload"
ROUND_OPENED = SYSTEM + "round_opened:"
AUTO_MEASURED = SYSTEM + "auto_measured|"

WORDS = {
    YES: gettext_lazy("Có"),
    NO: gettext_lazy("Không"),
    CONFIRMED: gettext_lazy("đã xác nhận"),
    UNCONFIRMED: gettext_lazy("chưa xác nhận"),
    REASON_CARRY_OVER: gettext_lazy("nhập tiếp từ kỳ trước"),
    REASON_EXCEL: gettext_lazy("tải lên từ tệp Excel"),
}


def flag(value: bool) -> str:
    return YES if value else NO


def round_opened(number: int) -> str:
    return f"{ROUND_OPENED}{number}"


def auto_measured(source: str, measured_at: datetime.datetime) -> str:
    """`system:auto_measured|<ISO time>|<source>`: the source is the integrator's own words."""
    return f"{AUTO_MEASURED}{measured_at.isoformat()}|{source}"


def decision(
    kind: str,
    *,
    score: Decimal | None = None,
    due_on: datetime.date | None = None,
    state: str = "",
) -> str:
    """An appraisal decision as the history stores it: `decision:<kind>[:<detail>][|<state>]`,
    the detail a plain score (25.5) or an ISO date."""
    detail = numbers.plain(score) if score is not None else (due_on.isoformat() if due_on else "")
    code = f"{DECISION}{kind}" + (f":{detail}" if detail else "")
    return code + (f"|{state}" if state else "")


def decision_state(state: str) -> str:
    return f"{DECISION}|{state}"


def objection(state: str, score: Decimal | None = None) -> str:
    return f"{OBJECTION}{state}" + (f":{numbers.plain(score)}" if score is not None else "")
