"""The unit's side of the appraisal, from its workspace: explaining a reviewer's request (the new
values and evidence go through the ordinary workspace forms, which the request reopened for that
indicator) and objecting to a provisional result during the reply window.

Both answer htmx with the indicator's card (the page swaps 403/409/422 answers in, so a refusal
shows its reason in place) and a plain form post with a redirect to the workspace, or the whole
page again with the reason when refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opendti.appraisal import services as appraisal
from opendti.appraisal.models import Decision
from opendti.assessments.access import access_submission
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.workflow import TransitionRefused

from ..workspace import workspace_build
from .workspace import (
    _indicator,
    _node,
    _workspace_url,
    htmx_login_required,
    permission_denied_message,
)


def _run(
    request: HttpRequest,
    submission: Submission,
    node: Node,
    action: Callable[[], object],
    success: str,
    typed: dict[str, object],
) -> HttpResponse:
    """Call the service; answer with the card (htmx) or the page, with the outcome's message.

    `typed` (the text the user wrote) is given back on a refusal so nothing is lost."""
    htmx = bool(request.headers.get("HX-Request"))
    try:
        action()
    except TransitionRefused as refused:  # the period is not at that step (a ValidationError)
        return _refused(request, submission, node, 409, refused.messages, typed)
    except ValidationError as error:
        return _refused(request, submission, node, 422, error.messages, typed)
    except PermissionDenied as denied:
        return _refused(request, submission, node, 403, [permission_denied_message(denied)], typed)
    if htmx:
        return _indicator(request, submission, node, appraisal_done=success)
    messages.success(request, success)
    return redirect(_workspace_url(submission) + f"#ind-{node.pk}")


def _refused(
    request: HttpRequest,
    submission: Submission,
    node: Node,
    status: int,
    reasons: list[str],
    typed: dict[str, object],
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _indicator(
            request, submission, node, status, appraisal_errors=reasons, appraisal_typed=typed
        )
    for reason in reasons:
        messages.error(request, reason)
    context = workspace_build(submission=submission, user=request.user)
    context["appraisal_typed"] = typed
    return render(request, "portal/workspace/page.html", context, status=status)


@require_POST
@htmx_login_required
def explain(request: HttpRequest, period: str, unit: str, code: str, pk: int) -> HttpResponse:
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    # A request of another unit or indicator is as unknown here as a missing one.
    decision = get_object_or_404(
        Decision.objects.select_related("reviewer", "node"),
        pk=pk,
        submission=submission,
        node=node,
    )
    decision.submission = submission  # with its participation and period already loaded
    text = request.POST.get("text", "")
    return _run(
        request,
        submission,
        node,
        lambda: appraisal.explain(decision=decision, actor=request.user, text=text),
        _("Đã gửi giải trình cho Tổ thẩm định."),
        {"node": node.pk, "decision": decision.pk, "text": text},
    )


@require_POST
@htmx_login_required
def objection_raise(request: HttpRequest, period: str, unit: str, code: str) -> HttpResponse:
    submission = access_submission(request.user, period, unit)
    node = _node(submission, code)
    text = request.POST.get("text", "")
    return _run(
        request,
        submission,
        node,
        lambda: appraisal.objection_raise(
            submission=submission, node=node, actor=request.user, text=text
        ),
        _("Đã gửi ý kiến phản hồi; cơ quan thường trực sẽ trả lời."),
        {"node": node.pk, "objection": text},
    )
