from django.contrib import admin

from .models import Participation, Period, Phase, RankingGroup


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
    list_display = ("code", "title", "year", "cadence", "framework")
    list_filter = ("year", "cadence")
    filter_horizontal = ("not_deployed",)
    inlines = [GroupInline, ParticipationInline, PhaseInline]
