"""Ranking groups imported before they were named carry their code as their name (`xa`): the
usual codes get their Vietnamese names (Xã, Phường…), as an import now gives them."""

from django.db import migrations

from opendti.core.names import group_default_name


def forwards(apps, schema_editor):
    RankingGroup = apps.get_model("periods", "RankingGroup")
    for group in RankingGroup.objects.all().only("pk", "code", "name"):
        if group.name in ("", group.code):
            name = group_default_name(group.code)
            if name != group.name:
                RankingGroup.objects.filter(pk=group.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("periods", "0008_period_change_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
