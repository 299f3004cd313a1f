from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """A password set by an administrator is known to someone else: the owner must replace it."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = AdminPasswordChangeForm
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("OpenDTI", {"fields": ("full_name", "must_change_password", "password_changed_at")}),
    )
    list_display = ("username", "full_name", "email", "is_staff")

    def save_model(self, request, obj, form, change):
        # An account an administrator creates has a password someone else knows: the owner must
        # choose their own at first login.
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
