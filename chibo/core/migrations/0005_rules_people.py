"""Rule set: the ages a category of person implies (issue 17, plausibility).

No regulation sets these: they are chibo's configuration (confidence L), to catch
an 11-year-old "student" or a 15-year-old "lecturer". Years of age on the day
checked: below the minimum is refused, above the maximum asks for a confirmation
(in-service students, emeritus lecturers exist). Categories without a range
(``other``) are not checked.
"""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "people.category_age_years",
        "title": "Độ tuổi hợp lý theo đối tượng",
        "value": {
            "pupil": [14, 25],
            "student": [16, 60],
            "lecturer": [21, 75],
            "teacher": [18, 70],
            "cadre": [18, 70],
            "public_employee": [18, 70],
        },
        "source": "cấu hình của chibo, không có văn bản quy định",
        "clause": "",
        "valid_from": dt.date(1930, 2, 3),
        "valid_to": None,
        "confidence": "L",
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
    dependencies = [("core", "0004_audit_keyed")]
    operations = [migrations.RunPython(load, unload)]
