"""Party seniority rules (issue 20, item 12).

``seniority.badge_years``: the "Huy hiệu Đảng" milestones, 30, 40, 45, 50, … 90 years of
seniority (RULES.md lists 30–80, M; public summaries of the Party Office's guidance on the
badge, HD 56-HD/VPTW 2015, add 85 and 90). ``dues.exempt_seniority_years``: members with
50 years of seniority or more are exempt from dues, from the month they reach it
(QĐ 01-QĐ/TW, 3/2/2026; M: RULES.md's reading of summaries). Before QĐ 01 no version is
encoded (QĐ 342's exemptions were not confirmed).

Idempotent (tests re-run data migrations on an emptied table).
"""

import datetime as dt

from django.db import migrations

ROWS = [
    {
        "key": "seniority.badge_years",
        "title": "Các mốc tuổi đảng được xét tặng Huy hiệu Đảng (năm)",
        "value": [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90],
        "source": "Quy định tặng Huy hiệu Đảng; HD 56-HD/VPTW (2015)",
        "clause": "đối tượng xét tặng",
        "valid_from": dt.date(1930, 2, 3),
        "valid_to": None,
        "confidence": "M",
        "note": "Tuổi đảng tính từ ngày quyết định kết nạp, trừ thời gian không sinh hoạt đảng "
        "(Điều lệ Đảng, Điều 5 khoản 4; QĐ 24-QĐ/TW điểm 4.5).",
    },
    {
        "key": "dues.exempt_seniority_years",
        "title": "Đảng viên có tuổi đảng từ số năm này trở lên được miễn đóng đảng phí",
        "value": 50,
        "source": "QĐ 01-QĐ/TW (3/2/2026)",
        "clause": "miễn, giảm đảng phí",
        "valid_from": dt.date(2026, 2, 3),
        "valid_to": None,
        "confidence": "M",
        "note": "Miễn từ tháng đủ 50 năm tuổi đảng.",
    },
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for row in ROWS:
        RuleVersion.objects.update_or_create(
            key=row["key"],
            valid_from=row["valid_from"],
            defaults={k: v for k, v in row.items() if k not in ("key", "valid_from")},
        )


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    RuleVersion.objects.filter(key__in=[r["key"] for r in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0007_list_indexes"), ("core", "0008_rules_qd232")]
    operations = [migrations.RunPython(load, unload)]
