from django.contrib import admin

from .models import GivenScore, InputValue, Submission


class InputValueInline(admin.TabularInline):
    model = InputValue
    extra = 0


class GivenScoreInline(admin.TabularInline):
    model = GivenScore
    extra = 0


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("participation", "status")
    list_filter = ("status", "participation__period")
    inlines = [InputValueInline, GivenScoreInline]
