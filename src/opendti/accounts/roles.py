"""The roles of the spec, as Django group names with their Vietnamese titles."""

from django.utils.translation import gettext_lazy as _

COORDINATOR = "coordinator"
FOCAL_POINT = "focal_point"
UNIT_LEADER = "unit_leader"
REVIEWER = "reviewer"
APPROVER = "approver"
INTEGRATOR = "integrator"
ADMINISTRATOR = "administrator"

ROLES = {
    COORDINATOR: _("Điều phối (Sở TT&TT / Tổ giúp việc BCĐ CĐS)"),
    FOCAL_POINT: _("Cán bộ đầu mối của đơn vị"),
    UNIT_LEADER: _("Lãnh đạo đơn vị"),
    REVIEWER: _("Thành viên Tổ thẩm định"),
    APPROVER: _("Lãnh đạo UBND tỉnh"),
    INTEGRATOR: _("Hệ thống tích hợp"),
    ADMINISTRATOR: _("Quản trị hệ thống"),
}


def is_administrator(user) -> bool:
    """An administrator: the role, or anyone who may use Django's admin site (staff)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_superuser or user.is_staff or user.groups.filter(name=ADMINISTRATOR).exists()
    )
