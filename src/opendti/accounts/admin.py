from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("OpenDTI", {"fields": ("full_name", "must_change_password")}),
    )
    list_display = ("username", "full_name", "email", "is_staff")
