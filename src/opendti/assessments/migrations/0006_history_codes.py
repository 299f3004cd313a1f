"""History rows written before assessments.history_codes held the system's words in the language
of whoever acted (Vietnamese, or English): the known ones become the codes, so that every reader
gets them in their own language. Anything else (a person's own words, an appraisal decision's
label) is left as it is and shown as written."""

import re

from django.db import migrations

# (field, words in Vietnamese or English) -> code
FLAGS = {
    "is_estimate": {"có": "yes", "yes": "yes", "không": "no", "no": "no"},
    "carried_over": {
        "đã xác nhận": "confirmed",
        "confirmed": "confirmed",
        "chưa xác nhận": "unconfirmed",
        "not confirmed": "unconfirmed",
    },
    "evidence_carried_over": {"đã xác nhận": "confirmed", "confirmed": "confirmed"},
}
REASONS = {
    "nhập tiếp từ kỳ trước": "system:carry_over",
    "carried over from the previous period": "system:carry_over",
    "tải lên từ tệp Excel": "system:excel_upload",
    "uploaded from an Excel file": "system:excel_upload",
}
ROUND = re.compile(r"^(?:Mở lần thẩm định|Open review round) (\d+)$")


def forwards(apps, schema_editor):
    Change = apps.get_model("assessments", "Change")
    for field, words in FLAGS.items():
        for side in ("before", "after"):
            for text, code in words.items():
                Change.objects.filter(field=field, **{side: text}).update(**{side: code})
    for text, code in REASONS.items():
        Change.objects.filter(reason=text).update(reason=code)
    for change in Change.objects.filter(field="open_until", reason__regex=ROUND.pattern).only(
        "pk", "reason"
    ):
        match = ROUND.match(change.reason)
        if match:
            Change.objects.filter(pk=change.pk).update(reason=f"system:round_opened:{match[1]}")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_submissions_for_every_participation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
