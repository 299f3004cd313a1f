from django import forms
from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import (
    Participation,
    Period,
    PeriodChange,
    PeriodTransition,
    Phase,
    PhaseExtension,
    RankingGroup,
    ReviewerAssignment,
)


class GroupInline(admin.TabularInline):
    model = RankingGroup
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("unit",)


class PhaseForm(forms.ModelForm):
    """A new phase gets its dates here; a phase's dates change only on the period's timeline page
    (phase_extend), which keeps the old dates and the reason."""

    class Meta:
        model = Phase
        fields = ["kind", "round_number", "starts_on", "ends_on", "order"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("kind", "round_number", "starts_on", "ends_on"):
                self.fields[name].disabled = True


class PhaseInline(admin.TabularInline):
    model = Phase
    form = PhaseForm
    extra = 0


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "year", "cadence", "framework", "status")
    list_filter = ("year", "cadence", "status")
    # The status moves only through periods.workflow (pages, API), which records every step.
    readonly_fields = ("status",)

    def get_readonly_fields(self, request, obj=None):
        # The cadence chooses the period's steps: fixed once it has left self-assessment.
        if obj is not None and obj.status != Period.Status.SELF_ASSESSMENT:
            return ("status", "cadence", "quarter")
        return self.readonly_fields

    filter_horizontal = ("not_deployed",)
    inlines = [GroupInline, ParticipationInline, PhaseInline]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyAdmin):
    """Made on the appraisal page, whose service refuses a reviewer for their own unit."""

    list_display = ("period", "reviewer", "unit", "node")
    list_filter = ("period",)


@admin.register(PeriodTransition)
class PeriodTransitionAdmin(ReadOnlyAdmin):
    """The history of steps."""

    list_display = ("period", "before", "after", "actor", "at", "reason")
    list_filter = ("period",)


@admin.register(PhaseExtension)
class PhaseExtensionAdmin(ReadOnlyAdmin):
    """The history of the calendar's changes."""

    list_display = (
        "phase",
        "old_starts_on",
        "old_ends_on",
        "new_starts_on",
        "new_ends_on",
        "actor",
        "at",
        "reason",
    )
    list_filter = ("phase__period",)


@admin.register(PeriodChange)
class PeriodChangeAdmin(ReadOnlyAdmin):
    """The history of a period's setup from the coordinator's console (docs/console.md)."""

    list_display = ("period", "kind", "actor", "at")
    list_filter = ("period", "kind")
