"""The age rules before QĐ 24-QĐ/TW (30/7/2021), for admissions entered from the past (issue 20).

A member admitted in 1995 or 2018 is entered with ``member_record_past_admission`` (or
imported) under the rules of the decision's date; the admission rules loaded so far start
on 30/7/2021.

- ``admission.age_min_months`` 216 from 3/2/1930: the Charter has always required 18 years
  ("từ mười tám tuổi trở lên", Điều 1 of the Charters in force before 2011 and of the 2011
  Charter) — H.
- ``admission.age_max_months`` 720 from 25/7/2016: QĐ 29-QĐ/TW (25/7/2016) point 1.1 set
  18 to 60 years counted in months, as QĐ 24 kept — M (our reading; no public copy
  checked). Before it chibo knows no maximum: the check is skipped.
"""

import datetime as dt

from django.db import migrations

QD24 = dt.date(2021, 7, 30)

RULES = [
    {
        "key": "admission.age_min_months",
        "title": "Tuổi tối thiểu của người vào Đảng (tháng, tại thời điểm chi bộ xét)",
        "value": 216,
        "source": "Điều lệ Đảng (các kỳ), Điều 1; QĐ 29-QĐ/TW (25/7/2016)",
        "clause": "Điều 1 khoản 2 (từ đủ 18 tuổi)",
        "valid_from": dt.date(1930, 2, 3),
        "valid_to": QD24,
        "confidence": "H",
    },
    {
        "key": "admission.age_max_months",
        "title": "Tuổi tối đa của người vào Đảng (tháng); trên 60 tuổi do cấp ủy cấp tỉnh xem xét",
        "value": 720,
        "source": "QĐ 29-QĐ/TW (25/7/2016) thi hành Điều lệ Đảng",
        "clause": "điểm 1.1 (tuổi đời)",
        "valid_from": dt.date(2016, 7, 25),
        "valid_to": QD24,
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
    dependencies = [("admissions", "0005_field_aead"), ("core", "0008_rules_qd232")]
    operations = [migrations.RunPython(load, unload)]
