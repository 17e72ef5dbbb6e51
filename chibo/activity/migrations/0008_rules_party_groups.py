"""Rule set: meetings by party group (tổ đảng) in large cells (issue 20, item 14).

RULES.md ("Cell meetings", H/M): cells of 50 members or more may meet by party
group up to 3 times a year (HD 03-HD/TW, 2022). chibo counts a "time" as a
month in which the cell met by groups (every group of the cell may meet that
month), in the calendar year of the meeting; the cell's size is its members
on the rolls on the meeting's day. The exact clause was not found: confidence M.
"""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "meetings.party_group",
        "title": "Sinh hoạt theo tổ đảng ở chi bộ đông đảng viên",
        "value": {"min_members": 50, "max_per_year": 3},
        "source": "HD 03-HD/TW (2022)",
        "clause": "sinh hoạt chi bộ theo tổ đảng",
        "note": "Chi bộ có từ 50 đảng viên trở lên được sinh hoạt theo tổ đảng, tối đa 3 lần "
        "trong một năm. Một lần = một tháng chi bộ họp theo tổ (năm dương lịch); số đảng viên "
        "là số đảng viên trong danh sách chi bộ vào ngày họp.",
        "valid_from": dt.date(2022, 1, 1),
        "valid_to": None,
        "confidence": "M",
    },
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.update_or_create(key=rule["key"], valid_from=rule["valid_from"], defaults=rule)


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("activity", "0007_party_groups"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
