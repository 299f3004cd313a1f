"""Integrator tokens created and revoked (in the admin or by the command) are security events."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from opendti.audit.services import Kind, audit_record

from .models import IntegratorToken


def _detail(token: IntegratorToken) -> dict:
    return {
        "name": token.name,
        "user": token.user.get_username() if token.user_id else None,
        "period": token.period.code if token.period_id else None,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def on_saving(sender, instance: IntegratorToken, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "revoked" not in update_fields:
        return  # e.g. the time of last use, on every call: nothing to record
    previous = sender.objects.filter(pk=instance.pk).values_list("revoked", flat=True).first()
    instance._was_revoked = previous  # type: ignore[attr-defined]


def on_saved(sender, instance: IntegratorToken, created: bool, **kwargs) -> None:
    target = f"token:{instance.prefix}"
    if created:
        audit_record(Kind.TOKEN_CREATED, target=target, detail=_detail(instance))
    elif instance.revoked and getattr(instance, "_was_revoked", None) is False:
        audit_record(Kind.TOKEN_REVOKED, target=target, detail=_detail(instance))


def on_deleted(sender, instance: IntegratorToken, **kwargs) -> None:
    audit_record(
        Kind.TOKEN_REVOKED,
        target=f"token:{instance.prefix}",
        detail={**_detail(instance), "deleted": True},
    )


def connect() -> None:
    uid = "opendti.api.audit."
    pre_save.connect(on_saving, sender=IntegratorToken, dispatch_uid=uid + "saving")
    post_save.connect(on_saved, sender=IntegratorToken, dispatch_uid=uid + "saved")
    post_delete.connect(on_deleted, sender=IntegratorToken, dispatch_uid=uid + "deleted")
