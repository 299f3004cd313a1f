from django.contrib import admin

from .models import Lineage, Unit, UnitKind


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class LineageInline(admin.TabularInline):
    model = Lineage
    fk_name = "successor"
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    inlines = [LineageInline]
