"""Rule set and configuration for training (shared/RULES.md).

The awareness-course certificate's validity is the admissions rule
``admission.certificate_valid_months`` (60 months, HD 06-HD/TW §5.4): reused,
not duplicated. Here: the window in which a new member should take the
new-member course (during probation), and the default political-theory level
per post — configuration, editable under /training/requirements/.
"""

import datetime as dt

from django.db import migrations

RULES = [
    {"key": "training.new_member_course_months",
     "title": "Đảng viên mới học lớp bồi dưỡng đảng viên mới trong (tháng, kể từ ngày kết nạp)",
     "value": 12, "source": "Điều lệ Đảng Điều 5; HD 01-HD/TW (2021)", "clause": "thời kỳ dự bị (học lớp đảng viên mới)",
     "valid_from": dt.date(2021, 7, 30), "valid_to": dt.date(2025, 7, 1), "confidence": "M"},
    {"key": "training.new_member_course_months",
     "title": "Đảng viên mới học lớp bồi dưỡng đảng viên mới trong (tháng, kể từ ngày kết nạp)",
     "value": 12, "source": "Điều lệ Đảng Điều 5; HD 06-HD/TW (9/6/2025)", "clause": "thời kỳ dự bị (học lớp đảng viên mới)",
     "valid_from": dt.date(2025, 7, 1), "valid_to": None, "confidence": "M"},
]

# Default levels (configuration, confidence L: no single national text found).
REQUIREMENTS = [
    ("bi_thu", "theory_intermediate"),
    ("pho_bi_thu", "theory_intermediate"),
    ("cap_uy_vien", "theory_basic"),
    ("hieu_truong", "theory_intermediate"),
    ("pho_hieu_truong", "theory_basic"),
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.update_or_create(key=rule["key"], valid_from=rule["valid_from"], defaults=rule)
    PostRequirement = apps.get_model("training", "PostRequirement")
    for post, level in REQUIREMENTS:
        PostRequirement.objects.get_or_create(post=post, defaults={"level": level, "note": "mặc định (cấu hình)"})


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()
    apps.get_model("training", "PostRequirement").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_rules_probation"), ("training", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
