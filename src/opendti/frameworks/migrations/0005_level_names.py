"""Levels imported from a workbook before they were named carry their code as their name
(`communes`): the usual codes get their Vietnamese names (Cấp xã, Cấp huyện, Sở, ban, ngành…)."""

from django.db import migrations

from opendti.core.names import level_default_name


def forwards(apps, schema_editor):
    Level = apps.get_model("frameworks", "Level")
    for level in Level.objects.all().only("pk", "code", "name"):
        if level.name in ("", level.code):
            name = level_default_name(level.code)
            if name != level.name:
                Level.objects.filter(pk=level.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0004_inputspec_counts_and_percent_bounds")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
