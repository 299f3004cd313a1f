from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import ResultRun


@admin.register(ResultRun)
class ResultRunAdmin(ReadOnlyAdmin):
    """Computed results: recomputed by the services, never edited."""

    list_display = ("period", "engine_version", "inputs_hash", "computed_at")
    exclude = ("document",)  # large
