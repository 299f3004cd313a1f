from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import Participation, Period, PeriodTransition, Phase, RankingGroup, ReviewerAssignment


class GroupInline(admin.TabularInline):
    model = RankingGroup
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("unit",)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "year", "cadence", "framework", "status")
    list_filter = ("year", "cadence", "status")
    # The status moves only through periods.workflow (pages, API), which records every step.
    readonly_fields = ("status",)
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
