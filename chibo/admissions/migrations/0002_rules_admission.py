"""Rule set: admission and recognition (shared/RULES.md, "Admission" and "Probation and recognition").

One version per regulation period: QĐ 24-QĐ/TW & HD 01-HD/TW (2021) until
30/6/2025, QĐ 294-QĐ/TW & HD 06-HD/TW from 1/7/2025. The values did not
change; the sources a refusal quotes did. Confidence as in RULES.md.
"""

import datetime as dt

from django.db import migrations

BEFORE = dt.date(2021, 7, 30)  # QĐ 24-QĐ/TW signed and in force
CUTOVER = dt.date(2025, 7, 1)  # QĐ 294-QĐ/TW in force
OLD = "Điều lệ Đảng; QĐ 24-QĐ/TW (30/7/2021), HD 01-HD/TW (28/9/2021)"
NEW = "Điều lệ Đảng; QĐ 294-QĐ/TW (26/5/2025), HD 06-HD/TW (9/6/2025)"

# key, title, value, clause (before), clause (after), confidence
SPECS = [
    ("admission.age_min_months", "Tuổi tối thiểu của người vào Đảng (tháng, tại thời điểm chi bộ xét)",
     216, "Điều 1 khoản 2; điểm 3.1 (tuổi đời)", "Điều 1 khoản 2; điểm 3.1 (tuổi đời)", "H"),
    ("admission.age_max_months", "Tuổi tối đa của người vào Đảng (tháng); trên 60 tuổi do cấp ủy cấp tỉnh xem xét",
     720, "điểm 3.1 (tuổi đời)", "điểm 3.1 (tuổi đời)", "H"),
    ("admission.certificate_valid_months", "Thời hạn giấy chứng nhận bồi dưỡng nhận thức về Đảng (tháng)",
     60, "HD 01-HD/TW điểm 3 (bồi dưỡng nhận thức về Đảng)", "HD 06-HD/TW điểm 5.4", "M"),
    ("admission.introducer_min_months_together", "Người giới thiệu phải cùng công tác, học tập với người vào Đảng (tháng)",
     12, "Điều 4 khoản 1; điểm 4 (người giới thiệu)", "Điều 4 khoản 1; điểm 4 (người giới thiệu)", "H"),
    ("admission.youth_union_age_below", "Người vào Đảng dưới tuổi này, nơi có tổ chức Đoàn, do Ban Chấp hành Đoàn giới thiệu (năm)",
     30, "Điều 4 khoản 1; điểm 4.3", "Điều 4 khoản 1; điểm 4.3", "M"),
    ("admission.cell_vote_share", "Chi bộ xét kết nạp: ít nhất 2/3 số đảng viên chính thức đồng ý",
     {"num": 2, "den": 3}, "Điều 4 khoản 3", "Điều 4 khoản 3; điểm 9.3.2 (cách tính số đảng viên)", "H"),
    ("admission.decision_working_days", "Cấp ủy có thẩm quyền quyết định kết nạp trong (ngày làm việc, kể từ nghị quyết chi bộ; gia hạn)",
     {"days": 60, "extension": 30}, "Điều 4 khoản 3", "Điều 4 khoản 3", "H"),
    ("admission.ceremony_working_days", "Tổ chức lễ kết nạp trong (ngày làm việc, kể từ khi nhận quyết định)",
     30, "điểm 3.2 (lễ kết nạp)", "điểm 3.2 (lễ kết nạp)", "M"),
    ("recognition.vote_working_days", "Chi bộ xét công nhận đảng viên chính thức trong (ngày làm việc, sau khi hết thời kỳ dự bị)",
     30, "Điều 5 khoản 2", "Điều 5 khoản 2", "H"),
    ("recognition.decision_working_days", "Cấp ủy có thẩm quyền quyết định công nhận chính thức trong (ngày làm việc; gia hạn)",
     {"days": 30, "extension": 30}, "Điều 5 khoản 2", "Điều 5 khoản 2", "H"),
]


def rules():
    for key, title, value, old_clause, new_clause, confidence in SPECS:
        yield {"key": key, "title": title, "value": value, "source": OLD, "clause": old_clause,
               "valid_from": BEFORE, "valid_to": CUTOVER, "confidence": confidence}
        yield {"key": key, "title": title, "value": value, "source": NEW, "clause": new_clause,
               "valid_from": CUTOVER, "valid_to": None, "confidence": confidence}


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.update_or_create(key=rule["key"], valid_from=rule["valid_from"], defaults=rule)


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("admissions", "0001_initial"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
