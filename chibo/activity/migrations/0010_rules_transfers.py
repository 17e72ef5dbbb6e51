"""Transfer rules of issue 20 (items 10 and 11): the first step of an official transfer.

``transfer.official_paperwork_working_days``: the paperwork of an official transfer is done
within 60 working days of the decision (job move, retirement …) or of the long-term change
of residence; a late one carries its reason and the competent committee decides. QĐ 294-QĐ/TW
point 6.3.1 (H, RULES.md); the same point of QĐ 24-QĐ/TW and of QĐ 232-QĐ/TW, which
restated it (M: summaries, not the texts).

Idempotent (tests re-run data migrations on an emptied table).
"""

import datetime as dt

from django.db import migrations

QD24 = dt.date(2021, 7, 30)
QD232 = dt.date(2025, 1, 20)
QD294 = dt.date(2025, 7, 1)

TITLE = (
    "Thời hạn làm thủ tục chuyển sinh hoạt đảng chính thức, kể từ ngày có quyết định "
    "(chuyển công tác, nghỉ hưu…) hoặc thay đổi nơi cư trú lâu dài (ngày làm việc)"
)
NOTE = "Quá hạn: đảng viên báo cáo lý do, cấp ủy có thẩm quyền xem xét, quyết định."

ROWS = [
    ("QĐ 24-QĐ/TW (30/7/2021)", QD24, QD232, "M"),
    ("QĐ 232-QĐ/TW (20/1/2025)", QD232, QD294, "M"),
    ("QĐ 294-QĐ/TW (26/5/2025)", QD294, None, "H"),
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for source, start, end, confidence in ROWS:
        RuleVersion.objects.update_or_create(
            key="transfer.official_paperwork_working_days",
            valid_from=start,
            defaults={
                "title": TITLE,
                "value": 60,
                "source": source,
                "clause": "điểm 6.3.1",
                "valid_to": end,
                "confidence": confidence,
                "note": NOTE,
            },
        )


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    RuleVersion.objects.filter(key="transfer.official_paperwork_working_days").delete()


class Migration(migrations.Migration):
    dependencies = [("activity", "0009_rules_exemption"), ("core", "0008_rules_qd232")]
    operations = [migrations.RunPython(load, unload)]
