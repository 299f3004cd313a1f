"""Appraisal services: every write re-checks who may act and what the period's state allows,
and records each step in the submission's history (`assessments.Change`)."""

from .calendar import phase_extend
from .decisions import accept_rest, agree, decide, explain, own_scores
from .governance import (
    belongs_to,
    covers,
    reviewer_assign,
    reviewer_unassign,
    reviewers_of,
    scope,
    workload,
)
from .objections import objection_answer, objection_raise, open_objections, reply_open
from .rounds import (
    appraisal_start,
    items_for_round,
    pending_sign_offs,
    require_appraisal_over,
    round_current,
    round_open,
    round_open_next,
    round_sign_off,
    undecided,
)
from .settle import settle, settled_score

__all__ = [
    "accept_rest",
    "agree",
    "appraisal_start",
    "belongs_to",
    "covers",
    "decide",
    "explain",
    "items_for_round",
    "objection_answer",
    "objection_raise",
    "open_objections",
    "own_scores",
    "pending_sign_offs",
    "phase_extend",
    "reply_open",
    "require_appraisal_over",
    "reviewer_assign",
    "reviewer_unassign",
    "reviewers_of",
    "round_current",
    "round_open",
    "round_open_next",
    "round_sign_off",
    "scope",
    "settle",
    "settled_score",
    "undecided",
    "workload",
]
