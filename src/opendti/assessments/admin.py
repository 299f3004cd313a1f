"""Submissions in the admin: for looking only. Values, scores, flags and statuses change through
the services (the workspace, the Excel upload, the API), which check the lock and the person's
rights and write the history; the admin can do neither, so it can change nothing here."""

from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin, ReadOnlyInline

from .models import AppraisedScore, GivenScore, InputValue, Submission


class InputValueInline(ReadOnlyInline):
    model = InputValue


class GivenScoreInline(ReadOnlyInline):
    model = GivenScore


class AppraisedScoreInline(ReadOnlyInline):
    model = AppraisedScore


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("participation", "status")
    list_filter = ("status", "participation__period")
    inlines = [InputValueInline, GivenScoreInline, AppraisedScoreInline]
