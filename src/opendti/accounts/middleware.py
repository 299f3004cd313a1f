"""Session and password rules applied to every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from opendti.audit.services import Kind, audit_record

from .network import admin_address_allowed, admin_networks, is_admin_path
from .roles import is_administrator
from .second_factor import second_factor_required
from .services import password_change_due

LOGIN_AT = "opendti_login_at"


def has_session(request) -> bool:
    """Whether the request carries a session cookie. Without one the user is anonymous (sessions
    are the only login), so a rule about logged-in users need not load the user: loading it
    reads the session, and a response that read the session varies on the cookie (`Vary:
    Cookie`), which no shared cache can store (published pages, docs/performance.md)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def record_login_time(sender, request, user, **kwargs) -> None:
    """On `user_logged_in`: start the absolute limit at the login itself. Logging in again within
    a live session keeps its data (the key is only cycled), so the old time must be replaced."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = int(time.time())


class AbsoluteSessionLimitMiddleware:
    """End a session OPENDTI_SESSION_MAX_AGE seconds after login, however active it is (the idle
    limit is the session cookie's age, renewed on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None) if has_session(request) else None
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            now = int(time.time())
            max_age = settings.OPENDTI_SESSION_MAX_AGE
            if started is None:
                # A session from before this rule was deployed: count from now.
                request.session[LOGIN_AT] = now
            elif now - int(started) > max_age:
                logout(request)
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=401)
                messages.info(
                    request,
                    _("Phiên làm việc đã quá %(hours)s giờ; vui lòng đăng nhập lại.")
                    % {"hours": f"{max_age / 3600:g}"},
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class PasswordPolicyMiddleware:
    """Send a user who must change their password (first login, or rotation due) to the change
    page before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None) if has_session(request) else None
        if (
            user is not None
            and user.is_authenticated
            and password_change_due(user, max_age_days=settings.OPENDTI_PASSWORD_MAX_AGE_DAYS)
            and not self._exempt(request.path)
        ):
            if request.headers.get("HX-Request"):
                return HttpResponse(status=401)
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("accounts:password_change"),
            reverse("accounts:password_change_done"),
            reverse("portal:logout"),
            reverse("set_language"),
        )
        return path in exempt or path.startswith(f"/{settings.STATIC_URL.strip('/')}/")


class SecondFactorMiddleware:
    """No session without the second factor for those who need it, and no administrator work
    from outside the allowed networks (the admin site, or any page with an administrator's
    session). Installed after django-otp's middleware, which says whether the session was
    verified by a device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._check(request)
        return refused if refused is not None else self.get_response(request)

    def _check(self, request):
        if is_admin_path(request.path) and not admin_address_allowed(request):
            return self._address_refused(request, "admin_site")
        user = getattr(request, "user", None) if has_session(request) else None
        if user is None or not user.is_authenticated:
            return None
        if admin_networks() and not admin_address_allowed(request) and is_administrator(user):
            logout(request)
            return self._address_refused(request, "session")
        if not user.is_verified() and second_factor_required(user):
            # A session opened without the code (from before this rule, or by any path that
            # skipped the login page's second step) is closed.
            logout(request)
            if request.path.startswith("/api/"):
                return None  # continues as anonymous: the API answers 401
            if request.headers.get("HX-Request"):
                return HttpResponse(status=401)
            messages.info(
                request, _("Tài khoản của bạn cần xác thực hai lớp; vui lòng đăng nhập lại.")
            )
            return redirect_to_login(request.get_full_path())
        return None

    @staticmethod
    def _address_refused(request, where: str):
        audit_record(
            Kind.ADDRESS_REFUSED,
            request=request,
            detail={"where": where, "path": request.path[:200]},
        )
        return render(request, "registration/address_refused.html", status=403)
