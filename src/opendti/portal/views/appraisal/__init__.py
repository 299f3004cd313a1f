"""The appraisal pages of the coordinator, the reviewers and the approver: the period's appraisal
(steps, rounds, workload, assignments; a reviewer's queue), one unit's review, the objections and
the approval.

Who may see a page is decided here (anything else answers 404); what a person may do, and when,
is decided by the services, whose refusal is shown on the page again with its reason: 422 for a
form the service refuses, 403 for a person who may not do it, 409 for a step the period's state
does not allow. A success redirects back to the page with a message.
"""

from .approval import approval, approval_return, approve, objection_answer, objections
from .overview import advance, agree, assign, overview, sign_off, unassign
from .review import accept_rest, decide, unit_review

__all__ = [
    "accept_rest",
    "advance",
    "agree",
    "approval",
    "approval_return",
    "approve",
    "assign",
    "decide",
    "objection_answer",
    "objections",
    "overview",
    "sign_off",
    "unassign",
    "unit_review",
]
