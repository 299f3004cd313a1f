"""Every unit that takes part in a period has its submission (issue 12): until now the dashboard
and the workspace made missing ones inside GET requests; from now a submission is made when the
unit joins (assessments.apps), and this makes the ones that are missing."""

from django.db import migrations


def create_missing(apps, schema_editor):
    Participation = apps.get_model("periods", "Participation")
    Submission = apps.get_model("assessments", "Submission")
    missing = Participation.objects.filter(submission__isnull=True).values_list("pk", flat=True)
    Submission.objects.bulk_create(
        [Submission(participation_id=pk) for pk in missing.iterator()], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_protect_history"),
        ("periods", "0007_period_raw_inputs_public"),
    ]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
