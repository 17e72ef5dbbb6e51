"""Issue 20, items 8 and 9: the new member's personal history, and recognition votes without 2/3.

Schema: the candidate keeps the personal history's deadline and declaration date
(``history_due_on``, ``history_declared_on``, ``history_late_reason``) and the day the
case went to the upper committee (``escalated_on``); a new step value
``recognition_vote_failed`` keeps each cell vote that did not reach 2/3.

Rules (shared/RULES.md), one version per regulation period like 0002 and core.0008:

- ``admission.member_history_working_days`` = 30: the new member declares the personal
  history (lý lịch đảng viên, mẫu 1-HSĐV) within 30 working days of the admission
  ceremony. RULES.md gives it with the admission steps at H/M; the clause of the member-work
  guide was not checked, so M.
- ``recognition.failed_votes_to_upper`` = 3: after three cell votes on recognition that do
  not reach 2/3 of the full members, the case goes to the upper committee (RULES.md,
  "Probation and recognition", H; the clause number is not pinned).

Open cases already past their ceremony get the deadline counted from it (working days,
with the year's calendar adjustments), so a history never recorded shows as overdue.
"""

import datetime as dt

from django.db import migrations, models

BEFORE = dt.date(2021, 7, 30)  # QĐ 24-QĐ/TW
QD232 = dt.date(2025, 1, 20)
CUTOVER = dt.date(2025, 7, 1)  # QĐ 294-QĐ/TW
SOURCES = (
    (BEFORE, QD232, "Điều lệ Đảng; QĐ 24-QĐ/TW (30/7/2021), HD 01-HD/TW (28/9/2021)"),
    (QD232, CUTOVER, "Điều lệ Đảng; QĐ 232-QĐ/TW (20/1/2025), HD 01-HD/TW (28/9/2021)"),
    (CUTOVER, None, "Điều lệ Đảng; QĐ 294-QĐ/TW (26/5/2025), HD 06-HD/TW (9/6/2025)"),
)
GUIDE = "; HD 12-HD/BTCTW (18/1/2022)"

SPECS = [
    {
        "key": "admission.member_history_working_days",
        "title": "Đảng viên mới khai lý lịch đảng viên trong (ngày làm việc, kể từ lễ kết nạp)",
        "value": 30,
        "clause": "lý lịch đảng viên (mẫu 1-HSĐV) sau lễ kết nạp",
        "guide": True,
        "confidence": "M",
    },
    {
        "key": "recognition.failed_votes_to_upper",
        "title": "Chi bộ biểu quyết công nhận chính thức không đủ 2/3 đến lần thứ này thì "
        "chuyển cấp ủy cấp trên xem xét, quyết định",
        "value": 3,
        "clause": "Điều 5 khoản 2; công nhận đảng viên chính thức (ba lần không đủ 2/3)",
        "guide": False,
        "confidence": "H",
    },
]


def rules():
    for spec in SPECS:
        for start, end, source in SOURCES:
            yield {
                "key": spec["key"],
                "title": spec["title"],
                "value": spec["value"],
                "source": source + (GUIDE if spec["guide"] else ""),
                "clause": spec["clause"],
                "valid_from": start,
                "valid_to": end,
                "confidence": spec["confidence"],
            }


def load(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.update_or_create(
            key=rule["key"], valid_from=rule["valid_from"], defaults=rule
        )
    # Open cases past their ceremony: the history's deadline from the ceremony's date.
    from chibo.lib.workdays import add_working_days

    Candidate = apps.get_model("admissions", "Candidate")
    open_after = Candidate.objects.filter(
        stage__in=("ceremony", "recognition_vote"), member__ceremony_on__isnull=False
    ).select_related("member")
    for c in open_after.iterator():
        c.history_due_on = add_working_days(c.member.ceremony_on, 30)
        c.save(update_fields=["history_due_on"])


def unload(apps, schema_editor):
    RuleVersion = apps.get_model("core", "RuleVersion")
    for rule in rules():
        RuleVersion.objects.filter(key=rule["key"], valid_from=rule["valid_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0006_rules_age_before_2021"),
        ("core", "0010_calendar_2025_2026"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="escalated_on",
            field=models.DateField(
                blank=True, db_index=True, null=True, verbose_name="sent to the upper committee on"
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="history_declared_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="personal history declared on"
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="history_due_on",
            field=models.DateField(
                blank=True, db_index=True, null=True, verbose_name="personal history due by"
            ),
        ),
        migrations.AddField(
            model_name="candidate",
            name="history_late_reason",
            field=models.TextField(blank=True, verbose_name="reason for the late personal history"),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="stage",
            field=models.CharField(
                choices=[
                    ("registered", "Registered as outstanding candidate"),
                    ("course", "Awareness course completed"),
                    ("application", "Application letter submitted"),
                    ("history", "Personal history declared"),
                    ("background_check", "Background check done"),
                    ("introducers", "Introduced by members"),
                    ("youth_union", "Introduced by the Youth Union"),
                    ("opinions", "Opinions collected"),
                    ("cell_resolution", "Cell resolution"),
                    ("grassroots_resolution", "Grassroots committee resolution"),
                    ("decision", "Admission decision"),
                    ("ceremony", "Admission ceremony (probation)"),
                    ("recognition_vote", "Recognition vote"),
                    ("recognition_decision", "Recognized as full member"),
                    ("recognition_vote_failed", "Recognition vote without 2/3"),
                    ("withdrawn", "Withdrawn"),
                    ("rejected", "Not admitted"),
                    ("not_recognized", "Not recognized (removal proposed)"),
                ],
                db_index=True,
                max_length=24,
                verbose_name="stage",
            ),
        ),
        migrations.AlterField(
            model_name="candidatestep",
            name="stage",
            field=models.CharField(
                choices=[
                    ("registered", "Registered as outstanding candidate"),
                    ("course", "Awareness course completed"),
                    ("application", "Application letter submitted"),
                    ("history", "Personal history declared"),
                    ("background_check", "Background check done"),
                    ("introducers", "Introduced by members"),
                    ("youth_union", "Introduced by the Youth Union"),
                    ("opinions", "Opinions collected"),
                    ("cell_resolution", "Cell resolution"),
                    ("grassroots_resolution", "Grassroots committee resolution"),
                    ("decision", "Admission decision"),
                    ("ceremony", "Admission ceremony (probation)"),
                    ("recognition_vote", "Recognition vote"),
                    ("recognition_decision", "Recognized as full member"),
                    ("recognition_vote_failed", "Recognition vote without 2/3"),
                    ("withdrawn", "Withdrawn"),
                    ("rejected", "Not admitted"),
                    ("not_recognized", "Not recognized (removal proposed)"),
                ],
                max_length=24,
                verbose_name="step",
            ),
        ),
        migrations.AlterField(
            model_name="override",
            name="stage",
            field=models.CharField(
                choices=[
                    ("registered", "Registered as outstanding candidate"),
                    ("course", "Awareness course completed"),
                    ("application", "Application letter submitted"),
                    ("history", "Personal history declared"),
                    ("background_check", "Background check done"),
                    ("introducers", "Introduced by members"),
                    ("youth_union", "Introduced by the Youth Union"),
                    ("opinions", "Opinions collected"),
                    ("cell_resolution", "Cell resolution"),
                    ("grassroots_resolution", "Grassroots committee resolution"),
                    ("decision", "Admission decision"),
                    ("ceremony", "Admission ceremony (probation)"),
                    ("recognition_vote", "Recognition vote"),
                    ("recognition_decision", "Recognized as full member"),
                    ("recognition_vote_failed", "Recognition vote without 2/3"),
                    ("withdrawn", "Withdrawn"),
                    ("rejected", "Not admitted"),
                    ("not_recognized", "Not recognized (removal proposed)"),
                ],
                max_length=24,
                verbose_name="step",
            ),
        ),
        migrations.RunPython(load, unload),
    ]
