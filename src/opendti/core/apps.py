from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opendti.core"
    label = "core"
