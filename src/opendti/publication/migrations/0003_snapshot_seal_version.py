"""Seal versions: the snapshots approved so far were sealed under version 1 (period, decision
number, hashes) and keep it; new ones get version 2 (also the decision's date, signer and the
approver)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publication", "0002_snapshot_without_decision")]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="seal_version",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="snapshot",
            name="seal_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
    ]
