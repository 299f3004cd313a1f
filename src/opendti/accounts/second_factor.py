"""The second factor: a TOTP device (django-otp, any authenticator app) with single-use recovery
codes, required for the roles in OPENDTI_MFA_ROLES (coordinator, approver, reviewer and
administrator by default) and for anyone who has enrolled a device.

A person whose role needs it enrols at their first login (the password alone never opens a
session for them); an administrator other than themselves resets it, with a recorded reason, when
the phone is lost. Every step is an audit event.
"""

from __future__ import annotations

import base64
import secrets

import segno
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendti.audit.services import Kind, audit_record

from .models import RecoveryCode, User
from .roles import ADMINISTRATOR, is_administrator

RECOVERY_CODES = 10
# Letters and digits without the look-alikes (0/O, 1/I/L), about 5 bits a character. A code is
# three groups of four: the first finds its row, the other two (40 bits) are the secret.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
LOOKUP_LENGTH = 4


def second_factor_required(user) -> bool:
    """Whether this person must give a code after their password."""
    roles = set(settings.OPENDTI_MFA_ROLES)
    needs = Q(totpdevice__confirmed=True)
    if roles:
        needs |= Q(groups__name__in=roles)
    if ADMINISTRATOR in roles:
        needs |= Q(is_staff=True) | Q(is_superuser=True)
    return User.objects.filter(pk=user.pk).filter(needs).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def device_start(user) -> TOTPDevice:
    """A new, unconfirmed device with a fresh secret (any earlier unconfirmed one is dropped)."""
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Ứng dụng xác thực"), confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image file, no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def _digits(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def device_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a new device with its first code; returns the new recovery codes (shown once)."""
    if device.confirmed or not device.verify_token(_digits(code)):
        raise ValidationError(_("Mã xác thực không đúng; hãy nhập mã đang hiện trong ứng dụng."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    codes = recovery_codes_create(user=device.user)
    audit_record(Kind.MFA_ENROLLED, actor=device.user, target=f"user:{device.user.get_username()}")
    return codes


def _normalise(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def recovery_codes_create(*, user: User) -> list[str]:
    """New recovery codes replacing any earlier ones; only their salted hashes are kept."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(ALPHABET) for _c in range(CODE_LENGTH))
        RecoveryCode.objects.create(
            user=user, lookup=raw[:LOOKUP_LENGTH], digest=make_password(raw[LOOKUP_LENGTH:])
        )
        codes.append("-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4)))
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    """Whether `code` is one of the person's unused recovery codes; it is used up if so."""
    wanted = _normalise(code)
    if len(wanted) != CODE_LENGTH:
        return False
    lookup, secret = wanted[:LOOKUP_LENGTH], wanted[LOOKUP_LENGTH:]
    for row in RecoveryCode.objects.filter(user=user, lookup=lookup, used_at__isnull=True):
        if check_password(secret, row.digest):
            # Conditional: two requests with the same code cannot both use it.
            used = RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            return used == 1
    return False


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def second_factor_reset(*, actor, user: User, reason: str) -> None:
    """Another administrator removes a person's device and recovery codes (a lost phone): they
    enrol again at their next login. The reason is recorded."""
    if not is_administrator(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được đặt lại xác thực hai lớp."))
    if actor.pk == user.pk:
        raise PermissionDenied(
            _("Không tự đặt lại xác thực hai lớp của mình: hãy nhờ một quản trị viên khác.")
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Ghi rõ lý do đặt lại (ví dụ: mất điện thoại)."))
    devices = TOTPDevice.objects.filter(user=user).delete()[0]
    codes = RecoveryCode.objects.filter(user=user).delete()[0]
    audit_record(
        Kind.MFA_RESET,
        actor=actor,
        target=f"user:{user.get_username()}",
        detail={"reason": reason, "devices": devices, "recovery_codes": codes},
    )
