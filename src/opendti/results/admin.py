from django.contrib import admin

from .models import ResultRun


@admin.register(ResultRun)
class ResultRunAdmin(admin.ModelAdmin):
    list_display = ("period", "engine_version", "inputs_hash", "computed_at")
    readonly_fields = ("period", "engine_version", "inputs_hash", "computed_at", "document")
