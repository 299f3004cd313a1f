from django.contrib import admin

from .models import Band, BandScheme, Framework, InputSpec, Level, Node, NodeMapping, Pillar


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "year", "level", "decision_number", "decision_date")
    list_filter = ("level", "year")
    inlines = [PillarInline]


class InputSpecInline(admin.TabularInline):
    model = InputSpec
    extra = 0


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "max_points", "scored", "rule", "framework")
    list_filter = ("framework", "kind", "rule")
    search_fields = ("code", "name")
    inlines = [InputSpecInline]


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(BandScheme)
class BandSchemeAdmin(admin.ModelAdmin):
    list_display = ("framework", "scope", "basis")
    inlines = [BandInline]


@admin.register(NodeMapping)
class NodeMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "comparable", "note")
    list_filter = ("comparable", "target__framework")
    search_fields = ("source__code", "target__code", "note")
    autocomplete_fields = ("source", "target")
    list_select_related = ("source", "target")
