"""The API's checks. Reads go through the web's permission layer (`opendti.assessments.access`);
writes additionally need an integrator token whose scope covers the period, unit and indicator."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from opendti.frameworks.models import Node
from opendti.periods.models import Participation

from .models import IntegratorToken


def token_require_scope(token: IntegratorToken | None, participation: Participation) -> None:
    """PermissionDenied unless the token may write for this unit in this period."""
    if token is None:
        raise PermissionDenied(_("Chỉ hệ thống tích hợp có khóa mới được ghi số liệu qua API."))
    if token.period_id != participation.period_id:
        raise PermissionDenied(_("Khóa tích hợp không dùng được cho kỳ đánh giá này."))
    if not token.participations.filter(pk=participation.pk).exists():
        raise PermissionDenied(_("Khóa tích hợp không dùng được cho đơn vị này."))


def token_require_node(token: IntegratorToken, node: Node) -> None:
    if not token.nodes.filter(pk=node.pk).exists():
        raise PermissionDenied(
            _("Khóa tích hợp không dùng được cho chỉ số %(code)s.") % {"code": node.code}
        )
    if node.source != Node.Source.AUTO:
        raise PermissionDenied(
            _("Chỉ số %(code)s do đơn vị tự báo cáo hoặc do Tổ thẩm định chấm, không đo tự động.")
            % {"code": node.code}
        )


def participation_get(period_code: str, unit_code: str) -> Participation:
    participation = (
        Participation.objects.select_related("period__framework", "unit")
        .filter(period__code=period_code, unit__code=unit_code)
        .first()
    )
    if participation is None:
        raise Http404
    return participation
