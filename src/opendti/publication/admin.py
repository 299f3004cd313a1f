from django.contrib import admin

from opendti.core.admin_mixins import ReadOnlyAdmin

from .models import Publication, Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("period", "decision_number", "decision_date", "signer", "approved_at")
    exclude = ("rows", "document")  # large; `opendti verify-snapshot` reads them


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("snapshot", "published_at", "published_by")
