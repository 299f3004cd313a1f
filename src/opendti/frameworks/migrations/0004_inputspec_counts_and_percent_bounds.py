"""Frameworks imported before the numbers module: a ratio's numerator and denominator and a count
rule's input become counts (integer) unless the framework declared their type, counts are never
negative and percents lie within 0–100 unless it declared bounds — as the engine now derives them
(scoring.rules.rule_inputs), so that the forms read `1.000` in a count as a thousand."""

import json

from django.db import migrations

COUNTS = {"ratio": {"numerator", "denominator"}, "count": {""}}


def _declared(params_text):
    try:
        params = json.loads(params_text) if params_text else {}
    except ValueError:
        return {}
    inputs = params.get("inputs", []) if isinstance(params, dict) else []
    return {str(item.get("name", "")): item for item in inputs if isinstance(item, dict)}


def forwards(apps, schema_editor):
    InputSpec = apps.get_model("frameworks", "InputSpec")
    for spec in InputSpec.objects.select_related("node").iterator():
        declared = _declared(spec.node.params).get(spec.name, {})
        changed = []
        if (
            spec.name in COUNTS.get(spec.node.rule, set())
            and spec.type == "number"
            and "type" not in declared
        ):
            spec.type = "integer"
            changed.append("type")
        if spec.type == "integer" and spec.min_value is None and declared.get("min") is None:
            spec.min_value = 0
            changed.append("min_value")
        if spec.type == "percent":
            if spec.min_value is None and declared.get("min") is None:
                spec.min_value = 0
                changed.append("min_value")
            if spec.max_value is None and declared.get("max") is None:
                spec.max_value = 100
                changed.append("max_value")
        if changed:
            spec.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0003_inputspec_integer_type")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
