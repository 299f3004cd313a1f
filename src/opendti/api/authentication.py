"""`Authorization: Token <secret>` for integrators; the site's session (CSRF enforced) for people."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from opendti.accounts.roles import INTEGRATOR

from .models import IntegratorToken, token_hash

KEYWORD = "Token"


class IntegratorTokenAuthentication(authentication.BaseAuthentication):
    """A revoked or expired token, or one whose owner left the integrator group, is refused (401)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Khóa tích hợp không hợp lệ."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Khóa tích hợp không hợp lệ.")) from None
        token = (
            IntegratorToken.objects.select_related("user", "period")
            .filter(key_hash=token_hash(secret))
            .first()
        )
        if token is None or not token.usable:
            raise exceptions.AuthenticationFailed(_("Khóa tích hợp không hợp lệ hoặc đã hết hạn."))
        user = token.user
        if not user.is_active or not user.groups.filter(name=INTEGRATOR).exists():
            raise exceptions.AuthenticationFailed(_("Tài khoản tích hợp không còn hiệu lực."))
        IntegratorToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to requests without credentials.
        return KEYWORD


class IntegratorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "opendti.api.authentication.IntegratorTokenAuthentication"
    name = "integratorToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>` — see `opendti create-integrator-token`.",
        }
