"""The government's calendar adjustments for 2025 and 2026 (issue 20, item 4).

Each swap is recorded on both sides (the day off and the make-up working day), so the
calendar does not depend on which swaps the ``holidays`` library happens to know.

- 2025: Friday 2/5 off, made up on Saturday 26/4 (Thông báo 6150/TB-LĐTBXH, 12/11/2024,
  lịch nghỉ Tết Âm lịch, Quốc khánh và dịp 30/4–1/5 năm 2025 của công chức, viên chức;
  the ``holidays`` library cites it for the same swap) — M.
- 2026: Friday 2/1 off, made up on Saturday 10/1 (Công văn 12729/VPCP-KGVX, 25/12/2025:
  Tết Dương lịch 4 ngày từ 1/1 đến 4/1/2026; reported alike by several papers) — H.
- 2026: Monday 31/8 off (Quốc khánh 5 ngày, 29/8–2/9/2026, in the holiday plan the
  Government approved: Thanh Niên 13/1/2026), made up on Saturday 22/8 (the make-up day
  the ``holidays`` library gives, citing thuvienphapluat.vn; not found elsewhere) — M.
- 2026: Tuesday 24/11 is a working day. The library lists "Ngày Văn hóa Việt Nam" as a
  holiday from 2026 after the Politburo's Resolution 80-NQ/TW (1/2026) chose the day "with
  the intention" of a paid day off; Government Resolution 30/NQ-CP (2/2026) asked for the
  Labour Code (Art. 112) to be amended, and the sources found show no amendment in force
  for 2026 — L. The city office sets it as a day off (/calendar/) once it is law.
"""

import datetime as dt

from django.db import migrations

D = dt.date
TB6150 = "TB 6150/TB-LĐTBXH (12/11/2024) về lịch nghỉ lễ, Tết năm 2025"
CV12729 = "CV 12729/VPCP-KGVX (25/12/2025) về nghỉ Tết Dương lịch năm 2026"
QK2026 = "Phương án nghỉ lễ, Tết năm 2026 được Chính phủ thông qua (Quốc khánh 29/8–2/9)"

ROWS = [
    (D(2025, 4, 26), True, "Làm bù cho thứ Sáu 02/5/2025 (nghỉ lễ 30/4 – 1/5)", TB6150, "M", ""),
    (D(2025, 5, 2), False, "Nghỉ (hoán đổi với thứ Bảy 26/4/2025)", TB6150, "M", ""),
    (D(2026, 1, 2), False, "Nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)", CV12729, "H", ""),
    (D(2026, 1, 10), True, "Làm bù cho thứ Sáu 02/01/2026 (Tết Dương lịch)", CV12729, "H", ""),
    (
        D(2026, 8, 22),
        True,
        "Làm bù cho thứ Hai 31/8/2026 (Quốc khánh)",
        QK2026,
        "M",
        "Ngày làm bù theo dữ liệu của thư viện holidays (nguồn thuvienphapluat.vn); chưa đối chiếu "
        "được văn bản gốc.",
    ),
    (
        D(2026, 8, 31),
        False,
        "Nghỉ Quốc khánh (hoán đổi với thứ Bảy 22/8/2026)",
        QK2026,
        "M",
        "Báo Thanh Niên 13/1/2026: nghỉ 5 ngày dịp Quốc khánh 2/9.",
    ),
    (
        D(2026, 11, 24),
        True,
        "Ngày Văn hóa Việt Nam: vẫn là ngày làm việc năm 2026",
        "Bộ luật Lao động 2019, Điều 112 (chưa sửa đổi); NQ 80-NQ/TW (1/2026) chủ trương",
        "L",
        "Thư viện holidays ghi 24/11 là ngày nghỉ từ 2026 theo chủ trương của NQ 80-NQ/TW; "
        "NQ 30/NQ-CP (2/2026) giao sửa Điều 112 Bộ luật Lao động. Chưa thấy văn bản có hiệu lực: "
        "khi có, Văn phòng Thành ủy sửa dòng này thành ngày nghỉ.",
    ),
]


def load(apps, schema_editor):
    CalendarAdjustment = apps.get_model("core", "CalendarAdjustment")
    for day, working, name, source, confidence, note in ROWS:
        CalendarAdjustment.objects.update_or_create(
            day=day,
            defaults={
                "working": working,
                "name": name,
                "source": source,
                "confidence": confidence,
                "note": note,
            },
        )


def unload(apps, schema_editor):
    CalendarAdjustment = apps.get_model("core", "CalendarAdjustment")
    CalendarAdjustment.objects.filter(day__in=[row[0] for row in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0009_calendar")]
    operations = [migrations.RunPython(load, unload)]
