"""Rule set: numbering of party documents (HD 36-HD/VPTW, 3/4/2018)."""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "directives.numbering",
        "title": "Đánh số văn bản: từ số 01 theo từng loại văn bản trong mỗi nhiệm kỳ cấp ủy",
        "value": {"first": 1, "restart": "term", "per": "type", "secret_shares_sequence": True},
        "source": "HD 36-HD/VPTW (3/4/2018)",
        "clause": "Số và ký hiệu văn bản",
        "valid_from": dt.date(2018, 4, 3),
        "valid_to": None,
        "confidence": "H",
    },
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.update_or_create(
            key=rule["key"], valid_from=rule["valid_from"], defaults=rule
        )


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("directives", "0001_initial"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
