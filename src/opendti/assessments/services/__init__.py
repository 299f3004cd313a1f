"""Writes on a submission: answers, flags, hand-overs, submission, reopening, carry-over, reminders.

Every service is keyword-only, atomic, re-checks access through `access.require`, and writes the
history (`Change`) rows for what it changed.
"""

from .answers import (
    Conflict,
    Field,
    answer_confirm,
    answer_get,
    answer_save,
    answer_values,
    indicator_fields,
    values_write,
)
from .assignments import index_assign
from .carry_over import EVIDENCE_CONTENT, previous_submission, submission_carry_over
from .submission import (
    submission_recall,
    submission_remind,
    submission_reopen,
    submission_submit,
)

__all__ = [
    "EVIDENCE_CONTENT",
    "Conflict",
    "Field",
    "answer_confirm",
    "answer_get",
    "answer_save",
    "answer_values",
    "index_assign",
    "indicator_fields",
    "previous_submission",
    "submission_carry_over",
    "submission_recall",
    "submission_remind",
    "submission_reopen",
    "submission_submit",
    "values_write",
]
