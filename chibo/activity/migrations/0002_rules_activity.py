"""Rule set: removal after 3 inactive / unpaid months, dues, transfer deadlines, meetings;
and the starting list of excused-absence reasons (configuration, RULES.md: no national list)."""

import datetime as dt

from django.db import migrations

QD294 = dt.date(2025, 7, 1)  # QĐ 294-QĐ/TW in force
QD01 = dt.date(2026, 2, 3)  # QĐ 01-QĐ/TW on party dues, 3/2/2026
QD342 = dt.date(2011, 1, 1)  # QĐ 342-QĐ/TW (28/12/2010) applied from 1/1/2011


def _two(key, title, value, old_source, new_source, clause, confidence="H", switch=QD294, start=dt.date(1930, 2, 3),
         old_value=None, old_confidence=None):
    return [
        {"key": key, "title": title, "value": value if old_value is None else old_value, "source": old_source,
         "clause": clause, "valid_from": start, "valid_to": switch, "confidence": old_confidence or confidence},
        {"key": key, "title": title, "value": value, "source": new_source, "clause": clause,
         "valid_from": switch, "valid_to": None, "confidence": confidence},
    ]


RULES = [
    *_two("removal.inactive_months", "Xóa tên: số tháng trong năm không sinh hoạt đảng, không có lý do chính đáng", 3,
          "Điều lệ Đảng 2011, Điều 8; QĐ 24-QĐ/TW (30/7/2021)", "Điều lệ Đảng, Điều 8; QĐ 294-QĐ/TW (26/5/2025)",
          "Điều 8 khoản 2; QĐ 294 điểm 8.1"),
    *_two("removal.unpaid_months", "Xóa tên: số tháng trong năm không đóng đảng phí, không có lý do chính đáng", 3,
          "Điều lệ Đảng 2011, Điều 8; QĐ 24-QĐ/TW (30/7/2021)", "Điều lệ Đảng, Điều 8; QĐ 294-QĐ/TW (26/5/2025)",
          "Điều 8 khoản 2; QĐ 294 điểm 8.1"),
    *_two("meetings.regular_per_month", "Chi bộ sinh hoạt thường kỳ mỗi tháng (số cuộc tối thiểu)", 1,
          "Điều lệ Đảng 2011, Điều 24", "Điều lệ Đảng, Điều 24; QĐ 294-QĐ/TW (26/5/2025)", "Điều 24 khoản 3"),
    *_two("meetings.thematic_per_quarter", "Sinh hoạt chuyên đề mỗi quý (số cuộc tối thiểu)", 1,
          "HD 12-HD/BTCTW; QĐ 24-QĐ/TW", "QĐ 294-QĐ/TW (26/5/2025); HD 06-HD/TW", "sinh hoạt chi bộ", "M"),
    *_two("transfer.official_present_working_days",
          "Thời hạn đảng viên nộp giấy giới thiệu chuyển sinh hoạt chính thức cho tổ chức đảng nơi đến (ngày làm việc)", 30,
          "QĐ 24-QĐ/TW (30/7/2021)", "QĐ 294-QĐ/TW (26/5/2025)", "điểm 6.3.1"),
    {"key": "transfer.student_keep_months",
     "title": "Sinh viên tốt nghiệp chưa có việc làm: đảng ủy trường được giữ sinh hoạt tối đa (tháng)", "value": 12,
     "source": "HD 01-HD/TW (5/1/2012)", "clause": "chuyển sinh hoạt đảng của sinh viên tốt nghiệp",
     "valid_from": dt.date(2012, 1, 5), "valid_to": None, "confidence": "M"},
    {"key": "dues.student_pupil_monthly_vnd", "title": "Đảng phí của đảng viên là học sinh, sinh viên (đồng/tháng)",
     "value": 2000, "source": "QĐ 342-QĐ/TW (28/12/2010)", "clause": "Mục I",
     "valid_from": QD342, "valid_to": QD01, "confidence": "M"},
    {"key": "dues.student_pupil_monthly_vnd", "title": "Đảng phí của đảng viên là học sinh, sinh viên (đồng/tháng)",
     "value": 5000, "source": "QĐ 01-QĐ/TW (3/2/2026)", "clause": "mức đóng đảng phí",
     "valid_from": QD01, "valid_to": None, "confidence": "H"},
    {"key": "dues.salaried_pct", "title": "Đảng phí của đảng viên hưởng lương (% tiền lương đóng BHXH)",
     "value": 1.0, "source": "QĐ 342-QĐ/TW (28/12/2010)", "clause": "Mục I",
     "valid_from": QD342, "valid_to": QD01, "confidence": "M"},
    {"key": "dues.salaried_pct", "title": "Đảng phí của đảng viên hưởng lương (% tiền lương đóng BHXH)",
     "value": 1.0, "source": "QĐ 01-QĐ/TW (3/2/2026)", "clause": "mức đóng đảng phí",
     "valid_from": QD01, "valid_to": None, "confidence": "H"},
    {"key": "dues.pensioner_pct", "title": "Đảng phí của đảng viên hưởng lương hưu (% lương hưu)",
     "value": 0.5, "source": "QĐ 342-QĐ/TW (28/12/2010)", "clause": "Mục I",
     "valid_from": QD342, "valid_to": QD01, "confidence": "M"},
    {"key": "dues.pensioner_pct", "title": "Đảng phí của đảng viên hưởng lương hưu (% lương hưu)",
     "value": 0.5, "source": "QĐ 01-QĐ/TW (3/2/2026)", "clause": "mức đóng đảng phí",
     "valid_from": QD01, "valid_to": None, "confidence": "H"},
    {"key": "dues.reduction_percents", "title": "Các mức giảm đảng phí (%)", "value": [30, 50, 70],
     "source": "QĐ 01-QĐ/TW (3/2/2026)", "clause": "miễn, giảm đảng phí",
     "valid_from": QD01, "valid_to": None, "confidence": "M"},
    {"key": "dues.relief_max_months", "title": "Thời hạn tối đa mỗi lần miễn, giảm đảng phí (tháng)", "value": 12,
     "source": "QĐ 01-QĐ/TW (3/2/2026)", "clause": "miễn, giảm đảng phí",
     "valid_from": QD01, "valid_to": None, "confidence": "M"},
]

REASONS = [
    ("illness", "Ốm đau", 1),
    ("work_duty", "Công tác đột xuất", 2),
    ("study_away", "Đi học xa", 3),
    ("family", "Việc gia đình", 4),
]


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.update_or_create(key=rule["key"], valid_from=rule["valid_from"], defaults=rule)
    AbsenceReason = apps.get_model("activity", "AbsenceReason")
    for code, name, position in REASONS:
        AbsenceReason.objects.update_or_create(code=code, defaults={"name": name, "position": position})


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in RULES:
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
