"""Rule set: what a plausible monthly dues amount is, and how far ahead dues may be paid (issue 17).

QĐ 01-QĐ/TW (3/2/2026) sets the rates: pupils and students 5,000 đ a month
(2,000 đ under QĐ 342-QĐ/TW before it), salaried members 1% of the insured
salary, pensioners 0.5% of the pension, reductions of 30/50/70% (those are in
0002). chibo rarely knows a member's salary, so the plausible range of a
percentage rate comes from the salaries that can be insured: from the lowest
regional minimum wage (region IV, 3,700,000 đ in 2026) to the social-insurance
ceiling of 20 × the base salary (2,340,000 đ → 46,800,000 đ), with a margin —
configuration (confidence L), not a regulation:

- salaried: 1% of 3.0M … 50M → 30,000 … 500,000 đ;
- pensioners: 0.5% of 2.0M … 50M → 10,000 … 250,000 đ;
- an amount the rule sets exactly (flat rate, or a recorded salary/pension) may
  differ by ``tolerance_vnd`` (rounding to the thousand);
- anything else outside asks for a confirmation; above ``refuse_above_vnd`` it
  is refused (no monthly dues are that high: a typo).
"""

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "dues.plausible_monthly_vnd",
        "title": "Mức đảng phí hằng tháng hợp lý",
        "value": {
            "salaried": [30000, 500000],
            "pensioner": [10000, 250000],
            "tolerance_vnd": 1000,
            "refuse_above_vnd": 10000000,
        },
        "source": "QĐ 01-QĐ/TW (3/2/2026); khoảng hợp lý: cấu hình của chibo",
        "clause": "mức đóng đảng phí",
        "note": "1% tiền lương đóng BHXH từ lương tối thiểu vùng IV (3.700.000 đ, 2026) đến mức trần "
        "20 lần lương cơ sở (46.800.000 đ), làm tròn rộng ra; 0,5% lương hưu. Số tiền khác mức "
        "quy định cần xác nhận; vượt refuse_above_vnd thì bị từ chối.",
        "valid_from": dt.date(2011, 1, 1),
        "valid_to": None,
        "confidence": "L",
    },
    {
        "key": "dues.advance_max_months",
        "title": "Số tháng tối đa được đóng đảng phí trước",
        "value": 12,
        "source": "QĐ 01-QĐ/TW (3/2/2026); giới hạn: cấu hình của chibo",
        "clause": "đóng đảng phí trước",
        "valid_from": dt.date(2011, 1, 1),
        "valid_to": None,
        "confidence": "L",
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
    dependencies = [("activity", "0004_tracking"), ("core", "0002_rules_probation")]
    operations = [migrations.RunPython(load, unload)]
