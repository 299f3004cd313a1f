"""Integrator tokens in the admin: the secret is shown once, in the message after creation."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from opendti.accounts.roles import INTEGRATOR

from .models import IntegratorToken


class IntegratorTokenForm(forms.ModelForm):
    class Meta:
        model = IntegratorToken
        fields = ["name", "user", "period", "participations", "nodes", "expires_at", "revoked"]

    def clean(self):
        data = super().clean()
        user, period = data.get("user"), data.get("period")
        if user is not None and not user.groups.filter(name=INTEGRATOR).exists():
            self.add_error("user", _("Tài khoản phải thuộc nhóm Hệ thống tích hợp."))
        if period is not None:
            if any(p.period_id != period.pk for p in data.get("participations", [])):
                self.add_error("participations", _("Đơn vị phải tham gia kỳ đánh giá đã chọn."))
            if any(n.framework_id != period.framework_id for n in data.get("nodes", [])):
                self.add_error("nodes", _("Chỉ số phải thuộc bộ chỉ số của kỳ đánh giá đã chọn."))
        return data


@admin.register(IntegratorToken)
class IntegratorTokenAdmin(admin.ModelAdmin):
    form = IntegratorTokenForm
    list_display = ["prefix", "name", "user", "period", "expires_at", "revoked", "last_used_at"]
    list_filter = ["revoked", "period"]
    readonly_fields = ["prefix", "last_used_at", "created_at"]
    filter_horizontal = ["participations", "nodes"]

    def save_model(self, request, obj, form, change):
        if not change:
            secret = obj.set_secret()
            messages.warning(
                request,
                _("Khóa tích hợp (chỉ hiện một lần, hãy lưu lại ngay): %(secret)s")
                % {"secret": secret},
            )
        super().save_model(request, obj, form, change)
