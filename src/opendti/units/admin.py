from django.contrib import admin
from django.db.models import Q

from opendti.core.vietnamese import fold

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

    def get_search_results(self, request, queryset, search_term):
        """Also without accents or case: "hoa binh" finds "UBND xã Hòa Bình"."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        words = fold(search_term).split()
        if words:
            folded = Q()
            for word in words:
                folded &= Q(name_folded__contains=word)
            found = found | queryset.filter(folded)
        return found, duplicates
