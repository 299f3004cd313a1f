"""The security audit log: who did what, when, from where. Rows are only ever added.

The application refuses to change or remove a row (`save`/`delete` raise) and so does the
database: a trigger refuses UPDATE and DELETE on the table, on PostgreSQL and SQLite alike
(migration 0002), so neither the admin, a bug nor a hand-typed SQL statement rewrites history.
The actor is kept as an id without a database constraint and as the username at the time, so
that removing an account never has to touch (or cascade into) its past events.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """An audit event may not be changed or removed."""


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("đăng nhập")
        LOGIN_FAILED = "login_failed", _("đăng nhập không thành công")
        LOCKOUT = "lockout", _("tạm khóa đăng nhập")
        LOGOUT = "logout", _("đăng xuất")
        ADDRESS_REFUSED = "address_refused", _("từ chối địa chỉ mạng")
        PASSWORD_CHANGED = "password_changed", _("đổi mật khẩu")
        MFA_ENROLLED = "mfa_enrolled", _("đăng ký xác thực hai lớp")
        MFA_FAILED = "mfa_failed", _("mã xác thực sai")
        MFA_RESET = "mfa_reset", _("đặt lại xác thực hai lớp")
        RECOVERY_USED = "recovery_used", _("dùng mã khôi phục")
        ROLE_CHANGED = "role_changed", _("thay đổi vai trò")
        MEMBERSHIP_CHANGED = "membership_changed", _("thay đổi thành viên, phân công")
        TOKEN_CREATED = "token_created", _("tạo khóa tích hợp")
        TOKEN_REVOKED = "token_revoked", _("thu hồi khóa tích hợp")
        EXPORT = "export", _("xuất dữ liệu")
        EVIDENCE_DOWNLOAD = "evidence_download", _("tải tài liệu kiểm chứng")
        ADMIN_CHANGE = "admin_change", _("thay đổi trong trang quản trị")
        PERIOD_TRANSITION = "period_transition", _("chuyển trạng thái kỳ")
        PERIOD_CONFIGURED = "period_configured", _("thiết lập kỳ đánh giá")
        SEAL_BROKEN = "seal_broken", _("dấu niêm phong không khớp")
        ACCESS_DENIED = "access_denied", _("từ chối truy cập")
        ACCOUNT_CREATED = "account_created", _("tạo tài khoản")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("khóa tài khoản")
        INVITATION_SENT = "invitation_sent", _("gửi thư mời đặt mật khẩu")
        INVITATION_USED = "invitation_used", _("đặt mật khẩu từ thư mời")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True, editable=False)
    kind = models.CharField(_("sự kiện"), max_length=32, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    username = models.CharField(_("tài khoản"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("địa chỉ mạng"), null=True, blank=True)
    target = models.CharField(_("đối tượng"), max_length=300, blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký an toàn")
        verbose_name_plural = _("nhật ký an toàn")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["address", "kind", "at"], name="audit_address_kind_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("an audit event is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("an audit event is never deleted")
