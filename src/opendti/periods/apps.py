from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodsConfig(AppConfig):
    name = "opendti.periods"
    label = "periods"
    verbose_name = _("periods")

    def ready(self) -> None:
        from . import affiliations, audit, revision_receivers

        audit.connect()
        affiliations.connect()
        revision_receivers.connect()
