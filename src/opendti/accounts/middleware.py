"""Session and password rules applied to every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .services import password_change_due

LOGIN_AT = "opendti_login_at"


class AbsoluteSessionLimitMiddleware:
    """End a session OPENDTI_SESSION_MAX_AGE seconds after login, however active it is (the idle
    limit is the session cookie's age, renewed on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            now = int(time.time())
            if started is None:
                request.session[LOGIN_AT] = now
            elif now - int(started) > settings.OPENDTI_SESSION_MAX_AGE:
                logout(request)
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=401)
                messages.info(request, _("Phiên làm việc đã quá 12 giờ; vui lòng đăng nhập lại."))
                return redirect(f"{reverse('portal:login')}?next={request.path}")
        return self.get_response(request)


class PasswordPolicyMiddleware:
    """Send a user who must change their password (first login, or rotation due) to the change
    page before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
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
