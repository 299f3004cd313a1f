"""Units' names without accents, for searching (core.vietnamese.fold); existing rows filled in."""

from django.db import migrations, models

from opendti.core.vietnamese import fold


def fill(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    for unit in Unit.objects.only("pk", "name").iterator():
        Unit.objects.filter(pk=unit.pk).update(name_folded=fold(unit.name))


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0002_affiliation"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="name_folded",
            field=models.CharField(
                blank=True, editable=False, max_length=300, verbose_name="tên không dấu"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
