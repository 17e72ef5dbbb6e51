"""Rule set: discipline and the annual quality evaluation (shared/RULES.md).

Discipline: QĐ 22-QĐ/TW (28/7/2021) until 29/5/2025; QĐ 296-QĐ/TW
(30/5/2025) with HD 08-HD/TW (10/6/2025) from 30/5/2025. The values did not
change; the sources a refusal quotes did.

Evaluation: the rule for year Y is the one in force on 31/12/Y — QĐ 124-QĐ/TW
(2023) for 2023 and 2024, QĐ 366-QĐ/TW (9/2025) from 2025. Whether the 20%
cap on "excellent" still binds members under QĐ 366 is not confirmed: it is
kept, marked M, and an administrator may change it.
"""

import datetime as dt

from django.db import migrations

QD22_FROM = dt.date(2021, 7, 28)
QD296_FROM = dt.date(2025, 5, 30)
QD22 = "QĐ 22-QĐ/TW (28/7/2021) về công tác kiểm tra, giám sát và kỷ luật của Đảng"
QD296 = "QĐ 296-QĐ/TW (30/5/2025); HD 08-HD/TW (10/6/2025)"

# key, title, value, clause, confidence
DISCIPLINE = [
    ("discipline.penalties_member_full", "Hình thức kỷ luật đảng viên chính thức",
     ["khien_trach", "canh_cao", "cach_chuc", "khai_tru"], "Điều lệ Đảng Điều 36; hình thức kỷ luật", "H"),
    ("discipline.penalties_member_probationary", "Hình thức kỷ luật đảng viên dự bị (không phù hợp thì xóa tên)",
     ["khien_trach", "canh_cao"], "Điều lệ Đảng Điều 36; đảng viên dự bị", "H"),
    ("discipline.penalties_org", "Hình thức kỷ luật tổ chức đảng",
     ["khien_trach", "canh_cao", "giai_tan"], "Điều lệ Đảng Điều 36; tổ chức đảng", "H"),
    ("discipline.cell_may_decide", "Chi bộ tự quyết định kỷ luật khiển trách, cảnh cáo đảng viên trong chi bộ "
     "(biểu quyết; có hiệu lực từ khi công bố)",
     {"penalties": ["khien_trach", "canh_cao"], "effective": "announcement"}, "thẩm quyền kỷ luật của chi bộ", "M"),
    ("discipline.cell_vote_share", "Chi bộ quyết định kỷ luật: quá nửa số đảng viên chính thức biểu quyết đồng ý",
     {"num": 1, "den": 2, "strict": True}, "nguyên tắc biểu quyết (cấu hình)", "L"),
    ("discipline.no_review", "Chưa xem xét kỷ luật khi đảng viên đang mang thai, nuôi con dưới 12 tháng "
     "hoặc ốm nặng điều trị nội trú",
     {"pregnant": True, "nursing_child_months": 12, "hospitalized": True}, "trường hợp chưa xem xét kỷ luật", "M"),
    ("discipline.appeal_days", "Khiếu nại kỷ luật trong (ngày, kể từ khi nhận quyết định)",
     30, "khiếu nại kỷ luật đảng", "M"),
]

Q124 = "QĐ 124-QĐ/TW (2023) về kiểm điểm, đánh giá, xếp loại chất lượng hằng năm"
Q366 = "QĐ 366-QĐ/TW (9/2025) về kiểm điểm, đánh giá, xếp loại chất lượng"
Q124_FROM = dt.date(2023, 1, 1)
Q366_FROM = dt.date(2025, 9, 1)

EVALUATION = [
    {"key": "evaluation.scheme", "title": "Cách xếp loại chất lượng đảng viên, tổ chức đảng",
     "value": {"method": "grades"}, "source": Q124, "clause": "mức xếp loại HTXSNV, HTTNV, HTNV, KHTNV",
     "valid_from": Q124_FROM, "valid_to": Q366_FROM, "confidence": "H"},
    {"key": "evaluation.scheme", "title": "Cách xếp loại chất lượng đảng viên, tổ chức đảng (thang 100 điểm)",
     "value": {"method": "score", "bands": {"HTXSNV": 90, "HTTNV": 70, "HTNV": 50}}, "source": Q366,
     "clause": "HTXSNV ≥ 90; HTTNV 70–89; HTNV 50–69; KHTNV < 50",
     "valid_from": Q366_FROM, "valid_to": None, "confidence": "H"},
    {"key": "evaluation.excellent_cap", "title": "Số HTXSNV không vượt quá tỷ lệ này của số HTTNV trong đảng bộ, "
     "chi bộ cơ sở", "value": {"enabled": True, "share_of_good": 0.2}, "source": Q124,
     "clause": "tỷ lệ HTXSNV không quá 20% số HTTNV", "valid_from": Q124_FROM, "valid_to": Q366_FROM,
     "confidence": "H"},
    {"key": "evaluation.excellent_cap", "title": "Số HTXSNV không vượt quá tỷ lệ này của số HTTNV trong đảng bộ, "
     "chi bộ cơ sở (chưa xác nhận với đảng viên — cấu hình)", "value": {"enabled": True, "share_of_good": 0.2},
     "source": Q366, "clause": "tỷ lệ HTXSNV (chưa xác nhận)", "valid_from": Q366_FROM, "valid_to": None,
     "confidence": "M"},
    {"key": "evaluation.removal_failed_years", "title": "Đảng viên không hoàn thành nhiệm vụ số năm liền "
     "thì chi bộ xem xét, đề nghị xóa tên", "value": 2,
     "source": "Điều lệ Đảng Điều 8 khoản 2; QĐ 24-QĐ/TW, HD 01-HD/TW (2021)", "clause": "xóa tên (2 năm liền)",
     "valid_from": dt.date(2021, 7, 30), "valid_to": dt.date(2025, 7, 1), "confidence": "H"},
    {"key": "evaluation.removal_failed_years", "title": "Đảng viên không hoàn thành nhiệm vụ số năm liền "
     "thì chi bộ xem xét, đề nghị xóa tên", "value": 2,
     "source": "Điều lệ Đảng Điều 8 khoản 2; QĐ 294-QĐ/TW, HD 06-HD/TW (2025)", "clause": "xóa tên (2 năm liền)",
     "valid_from": dt.date(2025, 7, 1), "valid_to": None, "confidence": "H"},
]


def rules():
    for key, title, value, clause, confidence in DISCIPLINE:
        yield {"key": key, "title": title, "value": value, "source": QD22, "clause": clause,
               "valid_from": QD22_FROM, "valid_to": QD296_FROM, "confidence": confidence}
        yield {"key": key, "title": title, "value": value, "source": QD296, "clause": clause,
               "valid_from": QD296_FROM, "valid_to": None, "confidence": confidence}
    yield from EVALUATION


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.update_or_create(key=rule["key"], valid_from=rule["valid_from"], defaults=rule)


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_rules_probation"), ("oversight", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
