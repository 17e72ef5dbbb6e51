"""Rule set 1: probation length (Party Charter Art. 5)."""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "probation.months",
        "title": "Thời kỳ dự bị (tháng, tính từ ngày lễ kết nạp)",
        "value": 12,
        "source": "Điều lệ Đảng 2011, Điều 5; QĐ 24-QĐ/TW (30/7/2021)",
        "clause": "Điều 5 khoản 1",
        "valid_from": dt.date(1930, 2, 3),
        "valid_to": dt.date(2025, 7, 1),
        "confidence": "H",
    },
    {
        "key": "probation.months",
        "title": "Thời kỳ dự bị (tháng, tính từ ngày lễ kết nạp)",
        "value": 12,
        "source": "Điều lệ Đảng, Điều 5; QĐ 294-QĐ/TW (26/5/2025)",
        "clause": "Điều 5 khoản 1",
        "valid_from": dt.date(2025, 7, 1),
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
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
