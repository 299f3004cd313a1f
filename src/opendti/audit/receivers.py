"""Events that Django and django-axes announce by signal: logins, failures, lockouts, logouts,
changes made in the admin, and changes of a user's roles (groups and account flags).

The apps that own other records (memberships, assignments, tokens, period steps) record their
own events through `audit_record`; this module only listens to what no app of ours owns.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from .services import Kind, audit_record

FLAGS = ("is_active", "is_staff", "is_superuser")
ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def on_login(sender, request, user, **kwargs) -> None:
    audit_record(Kind.LOGIN, actor=user, request=request, detail=_factor(request))


def _factor(request) -> dict[str, Any]:
    factor = getattr(request, "opendti_second_factor", None)
    return {"second_factor": factor} if factor else {}


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(Kind.LOGOUT, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Every failed attempt, whatever the lockouts decide (they forget after the cool-off)."""
    username = str(credentials.get("username") or "")
    factor = credentials.get("factor")
    kind = Kind.MFA_FAILED if factor else Kind.LOGIN_FAILED
    detail = {"factor": factor} if factor else {}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True
    audit_record(kind, username=username, request=request, detail=detail)


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(
        Kind.LOCKOUT,
        username=str(username or ""),
        request=request,
        detail={"by": "username_and_address"},
    )


def on_admin_entry(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    model = instance.content_type.model_class() if instance.content_type is not None else None
    label = model._meta.label if model is not None else ""
    audit_record(
        Kind.ADMIN_CHANGE,
        actor=instance.user,
        target=f"{label}:{instance.object_id or ''}",
        detail={
            "action": ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "object": instance.object_repr,
            "message": instance.get_change_message(),
        },
    )


def on_groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    User = get_user_model()
    if reverse:  # group.user_set.add(...): the instance is the group
        users = list(User.objects.filter(pk__in=pk_set or ()))
        groups = [instance.name]
    else:
        users = [instance]
        groups = sorted(
            instance.groups.values_list("name", flat=True)
            if action == "pre_clear"
            else Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True)
        )
    change = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}[action]
    for user in users:
        if groups:
            audit_record(
                Kind.ROLE_CHANGED,
                target=f"user:{user.get_username()}",
                detail={change: list(groups)},
            )


def on_user_saving(sender, instance, update_fields=None, **kwargs) -> None:
    """Account flags that change what a person may do (active, staff, superuser)."""
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(FLAGS)):
        return
    before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    if before is None:
        return
    changed = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changed:
        audit_record(
            Kind.ROLE_CHANGED, target=f"user:{instance.get_username()}", detail={"flags": changed}
        )


def connect() -> None:
    from axes.signals import user_locked_out

    User = get_user_model()
    uid = "opendti.audit."
    user_logged_in.connect(on_login, dispatch_uid=uid + "login")
    user_logged_out.connect(on_logout, dispatch_uid=uid + "logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked_out")
    post_save.connect(on_admin_entry, sender=LogEntry, dispatch_uid=uid + "admin")
    m2m_changed.connect(on_groups_changed, sender=User.groups.through, dispatch_uid=uid + "groups")
    pre_save.connect(on_user_saving, sender=User, dispatch_uid=uid + "user_flags")
