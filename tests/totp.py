"""Codes from a device's secret, as a person's authenticator app computes them (RFC 6238)."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_at(key: bytes, step: int, t: int, *, t0: int = 0, digits: int = 6) -> str:
    """The code of time step `t` for a secret."""
    totp = TOTP(key, step, t0, digits)
    totp.time = t0 + t * step
    return f"{totp.token():0{digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step's, or the next one's when the current
    was used already (a second login in the same 30 seconds); waits if both were used."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    t = max(now, device.last_t + 1)
    while t > now + device.tolerance:
        time.sleep(1)
        now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    return code_at(device.bin_key, device.step, t, t0=device.t0, digits=device.digits)
