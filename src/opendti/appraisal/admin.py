from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import Decision, Explanation, Objection, Round, SignOff

# Appraisal records change only through the services (which check roles and record history).


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("period", "number", "opened_at", "closed_at")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("round", "reviewer", "at")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("round", "submission", "node", "reviewer", "kind", "state", "score")
    list_filter = ("kind", "state")


@admin.register(Explanation)
class ExplanationAdmin(ReadOnlyAdmin):
    list_display = ("decision", "author", "at")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "node", "author", "state", "answered_by")
    list_filter = ("state",)
