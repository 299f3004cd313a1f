from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "opendti.backup"
    verbose_name = "Sao lưu và khôi phục"
