"""QĐ 232-QĐ/TW (20/1/2025) between QĐ 24-QĐ/TW and QĐ 294-QĐ/TW (issue 20, item 3).

The Central Committee's Regulation 232-QĐ/TW on implementing the Party Charter was
signed on 20/1/2025 and took effect the same day, replacing QĐ 24-QĐ/TW (30/7/2021);
QĐ 294-QĐ/TW replaced it from 1/7/2025. Public summaries (vietnam.vn, lawnet.vn,
laodong.vn, cocc.edu.vn) agree on the date (H) and restate, unchanged from QĐ 24: age
18 to 60 counted in months at the cell's review and lower-secondary education (point
1.1–1.2), official transfer papers within 60 working days and the letter handed over
within 30 (point 6), and the deadlines of the ceremony, recognition and party seniority.
HD 01-HD/TW (2021) stayed the detailed guide until HD 06-HD/TW (9/6/2025).

Every rule version citing QĐ 24-QĐ/TW that was still in force on 20/1/2025 is split
there: the QĐ 24 version now ends on 19/1/2025, and a QĐ 232 version with the same
value runs from 20/1/2025 until the old end (1/7/2025). Confidence: H where a summary of
QĐ 232 restates the value, M where it only shows QĐ 232 replaced QĐ 24 as a whole.
Idempotent (tests re-run data migrations on an emptied table).
"""

import datetime as dt

from django.db import migrations

QD232 = dt.date(2025, 1, 20)
NEW = "QĐ 232-QĐ/TW (20/1/2025)"
OLD_NAMES = ("QĐ 24-QĐ/TW (30/7/2021)", "QĐ 24-QĐ/TW")

# Values a public summary of QĐ 232 restates (confidence H); the rest: M.
RESTATED = {
    "admission.age_min_months",
    "admission.age_max_months",
    "transfer.official_present_working_days",
    "probation.months",
}


def _source(old: str) -> str:
    for name in OLD_NAMES:
        if name in old:
            return old.replace(name, NEW, 1)
    return old


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    rows = RuleVersion.objects.filter(
        source__contains="QĐ 24-QĐ/TW", valid_from__lt=QD232, valid_to__gt=QD232
    )
    for row in list(rows):
        RuleVersion.objects.update_or_create(
            key=row.key,
            valid_from=QD232,
            defaults={
                "title": row.title,
                "value": row.value,
                "source": _source(row.source),
                "clause": row.clause,
                "valid_to": row.valid_to,
                "confidence": "H" if row.key in RESTATED and row.confidence == "H" else "M",
                "note": "QĐ 232-QĐ/TW thay QĐ 24-QĐ/TW từ 20/1/2025 đến khi QĐ 294-QĐ/TW có hiệu "
                "lực (1/7/2025); giá trị không đổi.",
            },
        )
        row.valid_to = QD232
        row.save(update_fields=["valid_to"])


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for row in RuleVersion.objects.filter(valid_from=QD232, source__contains="QĐ 232-QĐ/TW"):
        RuleVersion.objects.filter(key=row.key, valid_to=QD232).update(valid_to=row.valid_to)
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_ruleversion_changed_at"),
        ("admissions", "0002_rules_admission"),
        ("activity", "0002_rules_activity"),
        ("oversight", "0002_rules_oversight"),
        ("training", "0002_rules_training"),
    ]
    operations = [migrations.RunPython(load, unload)]
