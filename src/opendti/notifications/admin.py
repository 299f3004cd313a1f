from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """For looking up what someone was told and whether the e-mail went out: notifications are
    written by the application only, so the admin can neither add nor change them."""

    list_display = ("created_at", "user", "kind", "title", "read_at", "emailed")
    list_filter = ("kind", "emailed", "created_at")
    search_fields = ("title", "user__username", "user__full_name", "user__email", "dedupe_key")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
