"""Rule set: the criteria of an exemption from work and activity (issue 20, item 13).

RULES.md ("Removal, discipline, exemption", H): old age or frail health (an
older guide: men over 60, women over 55), illness needing 3 months' treatment
or more, working alone abroad or far away, mobile work for under a year,
waiting for retirement, maternity; by the member's application and the cell's
resolution, the upper level informed; return by application. The Charter's
Art. 7 grants the exemption; the list of criteria is from its implementing
guidance (the clause of QĐ 294-QĐ/TW was not checked): confidence M.
"""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "exemption.criteria",
        "title": "Tiêu chuẩn miễn công tác và sinh hoạt đảng",
        "value": {
            "criteria": [
                "old_age",
                "illness",
                "far_away",
                "mobile_work",
                "awaiting_retirement",
                "maternity",
            ]
        },
        "source": "Điều lệ Đảng Điều 7; hướng dẫn thi hành Điều lệ",
        "clause": "miễn công tác và sinh hoạt đảng",
        "note": "Tuổi cao, sức yếu; ốm đau phải điều trị từ 3 tháng trở lên; công tác một mình ở "
        "nước ngoài hoặc nơi xa; đi làm lưu động dưới một năm; chờ nghỉ hưu; nghỉ thai sản. Đảng "
        "viên làm đơn, chi bộ ra nghị quyết, báo cáo cấp trên; trở lại sinh hoạt theo đơn.",
        "valid_from": dt.date(2011, 1, 1),
        "valid_to": None,
        "confidence": "M",
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
    dependencies = [("activity", "0008_rules_party_groups"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
