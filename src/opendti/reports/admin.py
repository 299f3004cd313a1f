"""Report files in Django's admin: for looking, not editing (the job writes them)."""

from __future__ import annotations

from django.contrib import admin

from .models import ReportFile


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    list_display = ("period", "kind", "status", "done", "total", "created_by", "created_at")
    list_filter = ("kind", "status", "period")
    readonly_fields = [f.name for f in ReportFile._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
