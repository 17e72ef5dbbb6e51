"""Demo data: the seed documents 719-CV/BCSĐ and 1000-CV/TU, their sections as tasks, two half-years of reports.

Reads the org tree made by ``chibo seed-demo`` (codes TU, DHQG, KDHCD,
SGDDT, KDCD, TD and the district committees) and writes through the
services (a few hundred rows: fast enough without raw inserts). Units the
letter names that are not party organizations in the tree (the city's
Youth Union, the People's Committee's party board, the Cadre Academy …)
are recorded by name.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from django.utils import timezone

from chibo.directives import compile as compiling
from chibo.directives import selectors, services
from chibo.directives import text as document_text
from chibo.directives.figures import own_figures
from chibo.directives.models import CommitteeTerm, Document, Recurrence, Urgency
from chibo.orgs.models import Org

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "seed_719_1000.txt"
TZ = timezone.get_fixed_timezone(7 * 60)

# Sections of 1000-CV/TU: (section, unit codes or a group, names of units outside the tree).
SECTIONS: list[tuple[str, str, list[str]]] = [
    ("1", "direct_schools", []),
    ("2", "", ["Ban cán sự đảng Ủy ban nhân dân Thành phố"]),
    ("3", "", ["Ban Tuyên giáo Thành ủy"]),
    ("4", "", ["Ban Thường vụ Thành Đoàn"]),
    ("5", "SGDDT", []),
    ("6", "", ["Học viện Cán bộ Thành phố Hồ Chí Minh"]),
    ("7", "", ["Các cơ quan chuyên trách tham mưu, giúp việc Thành ủy"]),
    ("8", "", ["Văn phòng Thành ủy"]),
]

RECIPIENTS_1000 = [
    ("Ban cán sự đảng Ủy ban nhân dân thành phố", ""),
    ("Các cơ quan chuyên trách tham mưu giúp việc Thành ủy", ""),
    ("Học viện Cán bộ Thành phố Hồ Chí Minh", ""),
    ("Ban Thường vụ Đảng ủy Đại học Quốc gia Thành phố Hồ Chí Minh", "DHQG"),
    ("Ban Thường vụ Đảng ủy Khối Dân - Chính - Đảng thành phố", "KDCD"),
    ("Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng thành phố", "KDHCD"),
    ("Ban Thường vụ Đảng ủy Sở Giáo dục và Đào tạo", "SGDDT"),
    ("Ban Thường vụ Thành Đoàn", ""),
    ("Ban Thường vụ Thành ủy Thủ Đức", "TD"),
    ("Các quận ủy, huyện ủy", ""),
    ("Các đồng chí Ủy viên Ban Thường vụ Thành ủy", ""),
    ("Văn phòng Ủy ban nhân dân thành phố", ""),
    ("Lưu Văn phòng Thành ủy", ""),
]

REPORT_LINES = [
    "Đã tổ chức quán triệt Công văn 1000-CV/TU đến các chi bộ, đảng bộ trường học trực thuộc.",
    "Tiếp tục thực hiện Chỉ thị 14-CT/TU về phát triển đảng viên trong giảng viên, sinh viên, học sinh.",
    "Rà soát đảng viên là sinh viên sắp tốt nghiệp để hướng dẫn chuyển sinh hoạt đảng kịp thời.",
    "Tổ chức lớp bồi dưỡng nhận thức về Đảng cho quần chúng ưu tú là sinh viên, học sinh.",
    "Kiểm tra, giám sát việc thực hiện chế độ sinh hoạt chi bộ định kỳ và chuyên đề.",
    "Nâng cao chất lượng sinh hoạt chi bộ, chú trọng sinh hoạt chuyên đề hằng quý.",
]


def _sections(text: str) -> dict[str, str]:
    """Top-level sections "1." … "8." of 1000-CV/TU (after "Ban Thường vụ Thành ủy yêu cầu:"),
    with their paragraphs, and the page's footnote as a footnote (``directives.text.tidy``)."""
    body = text.split("Ban Thường vụ Thành ủy yêu cầu:", 1)[-1].split("Nơi nhận:", 1)[0]
    parts = re.split(r"(?m)^\s*(\d)\.\s+", body)
    out: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        out.setdefault(parts[i], document_text.tidy(parts[i + 1]))
    return out


def _title(section_text: str) -> str:
    first = document_text.split(section_text).paragraphs[:1] or [""]
    head = re.split(r"\s\d\.\d\.\s", first[0], maxsplit=1)[0]
    return head if len(head) <= 290 else head[:287].rsplit(" ", 1)[0] + "…"


def _last_halves(today: dt.date, n: int = 2) -> list[str]:
    key = f"{today.year}-H{1 if today.month <= 6 else 2}"
    keys: list[str] = []
    year, half = int(key[:4]), int(key[-1])
    for _i in range(n):
        year, half = (year, 1) if half == 2 else (year - 1, 2)
        keys.append(f"{year}-H{half}")
    return list(reversed(keys))


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    city = Org.objects.filter(code="TU").first()
    if city is None or Document.objects.filter(org=city, symbol="1000-CV/TU").exists():
        return {"documents": 0}  # no tree, or already seeded
    CommitteeTerm.objects.get_or_create(
        org=city,
        starts_on=dt.date(2020, 10, 18),
        defaults={"name": "2020–2025", "ends_on": dt.date(2025, 10, 15)},
    )
    CommitteeTerm.objects.get_or_create(
        org=city, starts_on=dt.date(2025, 10, 16), defaults={"name": "2025–2030"}
    )

    text = FIXTURE.read_text(encoding="utf-8")
    part_1000 = text[text.index("Số 1000-CV/TU") :]
    attachment = services.FileIn(
        "719-CV-BCSD_1000-CV-TU.txt", "text/plain; charset=utf-8", text.encode()
    )
    by_code = {
        o.code: o for o in Org.objects.filter(code__in=[c for _n, c in RECIPIENTS_1000 if c])
    }

    d1000 = services.document_register_incoming(
        actor=None,
        org=city,
        symbol="1000-CV/TU",
        title="Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học trên địa bàn thành phố",
        issuing_body="Ban Thường vụ Thành ủy",
        issuing_org=city,
        issued_on=dt.date(2023, 6, 16),
        signer="Nguyễn Hồ Hải",
        signer_title="Phó Bí thư",
        incoming_number="398",
        received_at=dt.datetime(2023, 6, 17, 8, 56, tzinfo=TZ),
        recipients=[
            services.RecipientIn(name, 1, by_code.get(code)) for name, code in RECIPIENTS_1000
        ],
        body=part_1000,
        attachment=attachment,
        cites=services.cited_symbols(part_1000, exclude=["1000-CV/TU"]),
    )
    d719 = services.document_register_incoming(
        actor=None,
        org=city,
        symbol="719 -CV/BCSD",
        title="Về tham mưu thực hiện Công văn số 1000-CV/TU ngày 16 tháng 6 năm 2023 của Ban Thường vụ Thành ủy",
        issuing_body="Ban cán sự đảng Ủy ban nhân dân Thành phố",
        issued_on=dt.date(2023, 6, 23),
        signer="Phan Văn Mai",
        signer_title="Bí thư",
        urgency=Urgency.URGENT,
        incoming_number="432",
        received_at=dt.datetime(2023, 6, 23, 11, 19, tzinfo=TZ),
        recipients=[
            services.RecipientIn("Ủy ban nhân dân Thành phố"),
            services.RecipientIn("Phó Chủ tịch Ủy ban nhân dân Thành phố Dương Anh Đức"),
            services.RecipientIn("VPUB: PCVP/VX (để tham mưu)"),
            services.RecipientIn("Phòng VX (để tham mưu)"),
            services.RecipientIn("Phòng TH", copies=2),
            services.RecipientIn("Lưu: VT, (TH/Th)"),
        ],
        body=text[: text.index("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH ĐẢNG")],
        attachment=attachment,
        forwards=["1000-CV/TU"],
    )

    sections = _sections(part_1000)
    tasks = []
    for section, target, names in SECTIONS:
        section_text = sections.get(section, "")
        if target == "direct_schools":
            orgs = selectors.group_orgs(None, target)
        else:
            orgs = [o for o in Org.objects.filter(code__in=target.split(",")) if target]
        tasks.append(
            services.task_create(
                actor=None,
                document=d1000,
                section=section,
                title=_title(section_text) or f"Mục {section}",
                text=section_text,
                recurrence=Recurrence.SEMIANNUAL,
                starts_on=d1000.issued_on,
                report_due_days=10,
                orgs=orgs,
                named_units=names,
            )
        )

    reports = late = 0
    keys = _last_halves(today)
    for task in tasks:
        for assignment in task.assignments.exclude(org=None).select_related("org"):
            for index, key in enumerate(keys):
                period = selectors.find_period(task, key)
                if period is None:
                    continue
                roll = rng.random()
                if roll < 0.2:
                    continue  # missing
                own = own_figures(root=assignment.org, start=period.start, end=period.end)
                lines = rng.sample(REPORT_LINES, 3)
                report = services.report_save(
                    actor=None,
                    assignment=assignment,
                    period=key,
                    text="\n".join(lines),
                    figures={
                        "Sinh viên được kết nạp": own.admissions_students,
                        "Học sinh được kết nạp": own.admissions_pupils,
                        "Sinh viên bị xóa tên do bỏ sinh hoạt": own.removals_students_abandoned,
                    },
                )
                reports += 1
                if roll < 0.3:
                    continue  # still a draft
                due = selectors.due_on(task, period)
                is_late = roll > 0.8
                late += is_late
                day = (
                    due + dt.timedelta(days=rng.randint(2, 20))
                    if is_late
                    else due - dt.timedelta(days=rng.randint(0, 8))
                )
                submitted = dt.datetime.combine(day, dt.time(9, 30), tzinfo=TZ)
                report = services.report_submit(actor=None, report=report, now=submitted)
                if index == 0:
                    services.report_review(actor=None, report=report, accept=True)

    compiled = compiling.report_compile(
        actor=None,
        directive=d1000,
        period=keys[-1],
        issued_on=min(today, selectors.find_period(tasks[0], keys[-1]).end + dt.timedelta(days=20)),
        signer="Nguyễn Hồ Hải",
        signer_title="Phó Bí thư",
        today=today,
    )
    return {
        "documents": 2 + 1,
        "tasks": len(tasks),
        "assignments": sum(t.assignments.count() for t in tasks),
        "reports": reports,
        "late_reports": late,
        "compiled_reports": 1 if compiled else 0,
        "links": d1000.links_out.count() + d719.links_out.count(),
    }
