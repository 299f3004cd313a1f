from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "opendti.accounts"
    label = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .middleware import record_login_time
        from .views import admin_login

        user_logged_in.connect(record_login_time, dispatch_uid="opendti.accounts.login_time")
        # The admin site has no login of its own: its password-only form would skip the second
        # factor. It sends people to the site's login (both steps), then back.
        admin.site.login = admin_login  # type: ignore[method-assign]
        # Devices change only through enrolment and the recorded reset, never in the admin.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
