"""Report files in Django's admin: for looking, not editing (the job writes them)."""

from __future__ import annotations

from django.contrib import admin

from .models import ReportFile, ReportTemplate, ReportTextChange


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    list_display = ("period", "kind", "status", "done", "total", "created_by", "created_at")
    list_filter = ("kind", "status", "period")
    readonly_fields = [f.name for f in ReportFile._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportTextChange)
class ReportTextChangeAdmin(admin.ModelAdmin):
    """The history of the coordinator's Part III text: read only (written from the portal)."""

    list_display = ("text", "field", "actor", "at", "reason")
    list_filter = ("field",)
    readonly_fields = [f.name for f in ReportTextChange._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    """The report's Word templates as uploaded: read only (uploaded from the portal)."""

    list_display = ("name", "uploaded_by", "uploaded_at", "reason")
    readonly_fields = [f.name for f in ReportTemplate._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
