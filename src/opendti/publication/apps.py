from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "opendti.publication"
    label = "publication"
    verbose_name = _("Phê duyệt và công bố")

    def ready(self) -> None:
        # results sits below publication: it reads the snapshots through this reader.
        from opendti.results import source

        from .snapshots import frozen_reader

        source.register_frozen_reader(frozen_reader)
