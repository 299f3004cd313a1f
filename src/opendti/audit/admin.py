"""The audit log in the admin: for looking only (the database refuses changes anyway)."""

from __future__ import annotations

from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "address", "target")
    list_filter = ("kind",)
    search_fields = ("username", "target", "address")
    date_hierarchy = "at"
