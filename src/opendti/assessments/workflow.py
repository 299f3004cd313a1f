"""The submission's state machine: draft ⇄ submitted, and nothing else.

A unit leader submits a draft and may recall it before the deadline; the coordinator's reopening
puts it back to draft. Once the period has left self-assessment nothing moves (the lock is
`access.submission_is_open`); what the appraisal changes afterwards is kept per indicator by the
appraisal app. Every step is a `Change` row of kind status.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Change, Submission
from .services.history import change_record

Status = Submission.Status

STEPS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    Status.SUBMITTED: frozenset({Status.DRAFT}),
}


def submission_step(submission: Submission, to: str, actor, reason: str) -> None:
    """Move a submission to `to` under a row lock, recording the step; refuse any other."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        before = locked.status
        if to not in STEPS.get(before, frozenset()):
            raise ValidationError(
                _("Phiếu không thể chuyển từ “%(before)s” sang “%(after)s”.")
                % {"before": Status(before).label, "after": Status(to).label}
            )
        locked.status = to
        if to == Status.SUBMITTED:
            locked.submitted_at = timezone.now()
            locked.submitted_by = actor
        else:
            # Recalled or reopened: it is no longer "sent at …" (the history keeps when it was).
            locked.submitted_at = None
            locked.submitted_by = None
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
        change_record(submission, None, Change.Kind.STATUS, "status", before, to, actor, reason)
        submission.status = locked.status
        submission.submitted_at = locked.submitted_at
        submission.submitted_by = locked.submitted_by
