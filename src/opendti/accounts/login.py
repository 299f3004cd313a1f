"""Logging in: the password, then (for the roles that need it) the second factor, and only then a
session. Between the two steps the session holds nothing but who passed the password and when
(for five minutes); it is not logged in, so no page or API call can be reached with a password
alone.

Throttling at every step: django-axes locks a username from one address (wrong passwords and wrong
codes both count), an address is refused after too many failures across usernames
(`throttle`), and the device itself makes each wrong code wait longer (django-otp). An
administrator account logs in only from the allowed networks (`network`).
"""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendti.audit.services import Kind, audit_record

from .models import User
from .network import admin_address_allowed
from .roles import is_administrator
from .second_factor import (
    confirmed_device,
    device_confirm,
    device_start,
    qr_svg,
    recovery_code_use,
    recovery_codes_left,
    second_factor_required,
    secret_text,
)
from .throttle import address_locked, address_locked_response

PENDING = "opendti_pending_login"
ENROLLING = "opendti_enrolling_device"
NEW_CODES = "opendti_new_recovery_codes"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Step one: username and password."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_locked(request):
            return address_locked_response(request, str(request.POST.get("username", ""))[:150])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if is_administrator(user) and not admin_address_allowed(self.request):
            audit_record(
                Kind.ADDRESS_REFUSED,
                username=user.get_username(),
                request=self.request,
                detail={"step": "login"},
            )
            form.add_error(
                None,
                _(
                    "Tài khoản quản trị chỉ đăng nhập được từ mạng được phép; hãy dùng máy "
                    "trong mạng nội bộ của cơ quan."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=403)
        if not second_factor_required(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        if confirmed_device(user) is None:
            return redirect("accounts:second_factor_enrol")
        return redirect("accounts:second_factor")


def _pending(request: HttpRequest) -> tuple[User, dict] | None:
    """The person who passed the password step in this session, if it was a moment ago."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


def _expired(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại."))
    return redirect("portal:login")


def _complete(
    request: HttpRequest, user: User, pending: dict, device: TOTPDevice, factor: str
) -> HttpResponse:
    """Both factors given: the session starts, verified by the device."""
    request.session.pop(PENDING, None)
    request.opendti_second_factor = factor  # type: ignore[attr-defined]
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return redirect(pending.get("next") or reverse("portal:home"))


def _refuse_if_locked(request: HttpRequest, user: User) -> HttpResponse | None:
    if address_locked(request):
        return address_locked_response(request, user.get_username())
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.axes_locked_out = True  # type: ignore[attr-defined]
        request.axes_credentials = credentials  # type: ignore[attr-defined]
        return HttpResponse(status=429)  # AxesMiddleware turns it into the lockout page
    return None


def _failed(request: HttpRequest, user: User) -> None:
    """A wrong code counts like a wrong password (django-axes, the audit log)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "factor": "totp"},
        request=request,
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy(
            "Sáu chữ số đang hiện trong ứng dụng xác thực, hoặc một mã khôi phục."
        ),
    )


def second_factor(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the person's authenticator app (or a recovery code)."""
    found = _pending(request)
    if found is None:
        return _expired(request)
    user, pending = found
    device = confirmed_device(user)
    if device is None:
        return redirect("accounts:second_factor_enrol")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        refused = _refuse_if_locked(request, user)
        if refused is not None:
            return refused
        allowed, info = device.verify_is_allowed()
        code = "".join(form.cleaned_data["code"].split())
        if not allowed and code.isdigit():
            wait = (info or {}).get("locked_until")
            seconds = max(1, int((wait - timezone.now()).total_seconds()) + 1) if wait else 1
            form.add_error(
                "code",
                _("Đã nhập sai mã; hãy đợi %(seconds)d giây rồi nhập mã mới.")
                % {"seconds": seconds},
            )
            status = 429
        elif code.isdigit() and device.verify_token(code):
            return _complete(request, user, pending, device, "totp")
        elif not code.isdigit() and recovery_code_use(user=user, code=code):
            audit_record(
                Kind.RECOVERY_USED,
                actor=user,
                request=request,
                detail={"left": recovery_codes_left(user)},
            )
            return _complete(request, user, pending, device, "recovery_code")
        else:
            _failed(request, user)
            form.add_error("code", _("Mã xác thực không đúng."))
            status = 401
    return render(request, "registration/second_factor.html", {"form": form}, status=status)


def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First login of a person whose role needs a second factor: add the app, confirm a code."""
    found = _pending(request)
    if found is None:
        return _expired(request)
    user, pending = found
    if confirmed_device(user) is not None:
        return redirect("accounts:second_factor")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROLLING), user=user, confirmed=False
    ).first()
    if device is None:
        device = device_start(user)
        request.session[ENROLLING] = device.pk
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        refused = _refuse_if_locked(request, user)
        if refused is not None:
            return refused
        try:
            codes = device_confirm(device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            _failed(request, user)
            form.add_error("code", error)
            status = 401
        else:
            request.session.pop(ENROLLING, None)
            response = _complete(request, user, pending, device, "totp")
            request.session[NEW_CODES] = {"codes": codes, "next": response["Location"]}
            return redirect("accounts:recovery_codes")
    context = {"form": form, "qr": qr_svg(device), "secret": secret_text(device)}
    return render(request, "registration/second_factor_enrol.html", context, status=status)


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after enrolment."""
    shown = request.session.pop(NEW_CODES, None)
    if not request.user.is_authenticated or shown is None:
        return redirect("portal:home")
    return render(request, "registration/recovery_codes.html", shown)
