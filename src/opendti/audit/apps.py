from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "opendti.audit"
    label = "audit"
    verbose_name = _("audit")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
