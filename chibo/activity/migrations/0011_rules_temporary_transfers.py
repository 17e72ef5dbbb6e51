"""Temporary transfers' durations (issue 20, item 10): ``transfer.temporary_months``.

A member who changes residence or workplace for 3 months to under 1 year, or is sent to a
full-time course in Vietnam for 3 months to 2 years and then returns, transfers party
activity temporarily (chuyển sinh hoạt đảng tạm thời). QĐ 24-QĐ/TW and QĐ 232-QĐ/TW point
6.3.2 a) (public copies quote the text; M), carried into QĐ 294-QĐ/TW (M: RULES.md, the
clause number not checked in the text). Longer: an official transfer.

Value per purpose: ``min_months``, ``max_months``, ``max_included`` (False: "under").

Idempotent (tests re-run data migrations on an emptied table).
"""

import datetime as dt

from django.db import migrations

QD24 = dt.date(2021, 7, 30)
QD232 = dt.date(2025, 1, 20)
QD294 = dt.date(2025, 7, 1)

KEY = "transfer.temporary_months"
TITLE = (
    "Thời gian chuyển sinh hoạt đảng tạm thời: thay đổi nơi cư trú, nơi công tác từ 3 tháng "
    "đến dưới 1 năm; đi học tập trung trong nước từ 3 tháng đến 2 năm"
)
NOTE = (
    "Dài hơn: chuyển sinh hoạt đảng chính thức. Cần kéo dài thời hạn: đảng viên báo cáo cấp "
    "ủy nơi sinh hoạt tạm thời và tổ chức đảng nơi sinh hoạt chính thức."
)
VALUE = {
    "work": {"min_months": 3, "max_months": 12, "max_included": False},
    "residence": {"min_months": 3, "max_months": 12, "max_included": False},
    "study": {"min_months": 3, "max_months": 24, "max_included": True},
}

ROWS = [
    ("QĐ 24-QĐ/TW (30/7/2021)", QD24, QD232),
    ("QĐ 232-QĐ/TW (20/1/2025)", QD232, QD294),
    ("QĐ 294-QĐ/TW (26/5/2025)", QD294, None),
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for source, start, end in ROWS:
        RuleVersion.objects.update_or_create(
            key=KEY,
            valid_from=start,
            defaults={
                "title": TITLE,
                "value": VALUE,
                "source": source,
                "clause": "điểm 6.3.2 a)",
                "valid_to": end,
                "confidence": "M",
                "note": NOTE,
            },
        )


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    RuleVersion.objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("activity", "0010_rules_transfers")]
    operations = [migrations.RunPython(load, unload)]
