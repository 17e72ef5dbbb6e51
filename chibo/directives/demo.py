"""Demo data: directive 1000-CV/TU as it really travelled, its sections as tasks, two
half-years of reports, and the compiled reports.

- **1000-CV/TU** (16/6/2023) is the city committee's own outgoing letter, numbered 1000
  in its term, signed "T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ", with the letter's addressees.
- **The seed's register stamps** are the People's Committee's (its office keeps the
  register: "UBND TP.HCM"): 1000-CV/TU arrived there as no. 398 at 08:56 on 17/6/2023, and
  the People's Committee's party board forwarded it to the People's Committee as
  719-CV/BCSĐ (23/6/2023, urgent), arriving as no. 432 at 11:19 the same day. Both sit in
  the incoming register of the party organization of that office (``KDCD-VPUB``); 719
  forwards the register's own copy of 1000-CV/TU.
- **Down to a school**: the university sector committee (KDHCD) registers 1000-CV/TU and
  forwards it with its own letter; the first university's committee registers both,
  forwards them to its cells with its own letter, gives section 1 to its cells, which
  report; it reports to KDHCD, which reports to the city.
- **Item 8**: the City Party Office compiles the 6-monthly report for the city's
  standing members ("Thường trực Thành ủy"), signed by its head (CHÁNH VĂN PHÒNG), for
  the last two completed half-years, and a draft (dự thảo) for the current one.
- **Terms**: every committee and cell gets the 2020–2025 and 2025–2030 terms (demo
  dates); the district committees' end with them on 30/6/2025.

Reads the org tree made by ``chibo seed-demo`` and writes through the services.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import partial
from pathlib import Path

from django.utils import timezone

from chibo.directives import compile as compiling
from chibo.directives import selectors, services
from chibo.directives import text as document_text
from chibo.directives.figures import system_figures
from chibo.directives.models import CommitteeTerm, Document, Recurrence, Task, Urgency
from chibo.orgs.models import CELL_KINDS, Org, OrgKind
from chibo.orgs.selectors import tree_as_of

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "seed_719_1000.txt"
TZ = timezone.get_fixed_timezone(7 * 60)
ISSUED = dt.date(2023, 6, 16)
SECRETARY_TU = ("Nguyễn Hồ Hải", "PHÓ BÍ THƯ")
# Demo people (not from the seed): who signs below the city.
OFFICE_HEAD = "Trần Minh Quang"
KHOI_DEPUTY = "Lê Hoàng Phúc"
SCHOOL_SECRETARY = "Nguyễn Thị Thanh Hương"

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

# The letter's "Kính gửi", with the orgs of the tree they name.
ADDRESSED_1000 = [
    ("Ban cán sự đảng Ủy ban nhân dân thành phố", ""),
    ("Các cơ quan chuyên trách tham mưu giúp việc Thành ủy", ""),
    ("Học viện Cán bộ Thành phố Hồ Chí Minh", ""),
    ("Ban Thường vụ Đảng ủy Đại học Quốc gia Thành phố Hồ Chí Minh", "DHQG"),
    ("Ban Thường vụ Đảng ủy Khối Dân - Chính - Đảng thành phố", "KDCD"),
    ("Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng thành phố", "KDHCD"),
    ("Ban thường vụ đảng ủy các sở: Giáo dục và Đào tạo, Lao động Thương binh và Xã hội", "SGDDT"),
    ("Ban Thường vụ Thành Đoàn", ""),
    ("Ban Thường vụ Thành ủy Thủ Đức, quận ủy, huyện ủy", "TD"),
]
COPIES_1000 = [
    "Các đồng chí Ủy viên Ban Thường vụ Thành ủy",
    "Văn phòng Ủy ban nhân dân thành phố",
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
    """The last ``n`` completed half-years before ``today``, oldest first."""
    year, half = today.year, 1 if today.month <= 6 else 2
    keys: list[str] = []
    for _i in range(n):
        year, half = (year, 1) if half == 2 else (year - 1, 2)
        keys.append(f"{year}-H{half}")
    return list(reversed(keys))


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


# --- terms -------------------------------------------------------------------------------

CITY_TERMS = [
    ("2020–2025", "Đại hội đại biểu Đảng bộ Thành phố lần thứ XI", dt.date(2020, 10, 18), dt.date(2025, 10, 15)),
    ("2025–2030", "Đại hội đại biểu Đảng bộ Thành phố lần thứ XII", dt.date(2025, 10, 16), None),
]  # fmt: skip
DIRECT_TERMS = [
    ("2020–2025", "Đại hội đại biểu nhiệm kỳ 2020–2025", dt.date(2020, 8, 1), dt.date(2025, 8, 31)),
    ("2025–2030", "Đại hội đại biểu nhiệm kỳ 2025–2030", dt.date(2025, 9, 1), None),
]  # fmt: skip
GRASSROOTS_TERMS = [
    ("2020–2025", "Đại hội nhiệm kỳ 2020–2025", dt.date(2020, 6, 1), dt.date(2025, 5, 31)),
    ("2025–2030", "Đại hội nhiệm kỳ 2025–2030", dt.date(2025, 6, 1), None),
]  # fmt: skip


def seed_terms() -> int:
    """Every org's terms (demo dates); a closed org's last term ends with it."""
    rows = []
    have = set(CommitteeTerm.objects.values_list("org_id", flat=True).distinct())
    for org in Org.objects.only("id", "kind", "closed_on").order_by("path").iterator():
        if org.pk in have:
            continue
        if org.kind == OrgKind.CITY_COMMITTEE:
            terms = CITY_TERMS
        elif org.kind == OrgKind.DIRECT_COMMITTEE:
            terms = DIRECT_TERMS
        else:
            terms = GRASSROOTS_TERMS
        for name, congress, start, end in terms:
            last = org.closed_on - dt.timedelta(days=1) if org.closed_on else None
            if last is not None and start > last:
                continue
            if last is not None and (end is None or end > last):
                end = last
            rows.append(
                CommitteeTerm(org=org, name=name, congress=congress, starts_on=start, ends_on=end)
            )
    CommitteeTerm.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- the documents -------------------------------------------------------------------------


def _direct_with_schools_on(day: dt.date) -> list[Org]:
    """Directly subordinate committees that had a school party organization beneath on ``day``
    (section 1 of 1000-CV/TU: "Thành ủy Thủ Đức, các quận ủy, huyện ủy và đảng ủy cấp trên
    cơ sở có tổ chức đảng trường học trực thuộc")."""
    nodes = tree_as_of(day)
    fields = ("id", "kind", "school_level", "name", "code", "path", "closed_on", "parent_id")
    orgs = {o.pk: o for o in Org.objects.only(*fields) if o.pk in nodes}
    direct = {pk for pk, o in orgs.items() if o.kind == OrgKind.DIRECT_COMMITTEE}
    found: set[int] = set()
    for pk, o in orgs.items():
        if not o.school_level:
            continue
        up = nodes[pk].parent_id
        while up is not None and up not in direct:
            up = nodes[up].parent_id if up in nodes else None
        if up is not None:
            found.add(up)
    return sorted((orgs[pk] for pk in found), key=lambda o: o.path)


# A document the demo's unit received: registered by no one (the seed).
_incoming = partial(services.document_register_incoming, actor=None)


def _reports(
    task: Task, keys: list[str], rng: random.Random, *, missing: float = 0.2
) -> tuple[int, int]:
    """The units' reports on ``task`` for the half-years ``keys`` (some missing, drafts, late)."""
    reports = late = 0
    for assignment in task.assignments.exclude(org=None).select_related("org"):
        org = assignment.org
        assert org is not None  # excluded above
        for index, key in enumerate(keys):
            period = selectors.find_period(task, key)
            if period is None or (org.closed_on and org.closed_on <= period.start):
                continue
            roll = rng.random()
            if roll < missing:
                continue
            own = system_figures(root=org, start=period.start, end=period.end)
            report = services.report_save(
                actor=None,
                assignment=assignment,
                period=key,
                text="\n".join(rng.sample(REPORT_LINES, 3)),
                figures={
                    "Sinh viên được kết nạp": own.admissions_students,
                    "Học sinh được kết nạp": own.admissions_pupils,
                    "Sinh viên bị xóa tên do bỏ sinh hoạt": own.removals_students_abandoned,
                },
            )
            reports += 1
            if roll < missing + 0.1:
                continue  # still a draft
            due = selectors.due_on(task, period)
            is_late = roll > 0.8
            late += is_late
            day = (
                due + dt.timedelta(days=rng.randint(2, 20))
                if is_late
                else due - dt.timedelta(days=rng.randint(0, 8))
            )
            report = services.report_submit(actor=None, report=report, now=_at(day, 9, 30))
            if index == 0:
                services.report_review(actor=None, report=report, accept=True)
    return reports, late


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    city = Org.objects.filter(code="TU").first()
    if city is None or Document.objects.filter(org=city, symbol="1000-CV/TU").exists():
        return {"documents": 0}  # no tree, or already seeded
    terms = seed_terms()
    text = FIXTURE.read_text(encoding="utf-8")
    body_1000 = document_text.tidy(
        text[text.index("Thời gian qua, các cấp ủy") : text.rindex("Nơi nhận:")]
    )
    letter_719 = text[: text.index("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH ĐẢNG")]
    attachment = services.FileIn(
        "719-CV-BCSD_1000-CV-TU.txt", "text/plain; charset=utf-8", text.encode()
    )
    by_code = {o.code: o for o in Org.objects.filter(code__in=[c for _n, c in ADDRESSED_1000 if c])}
    title_1000 = (
        "Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học trên địa bàn thành phố"
    )

    # The city committee's own letter.
    d1000 = services.document_issue(
        actor=None,
        org=city,
        doc_type="CV",
        number=1000,
        title=title_1000,
        issued_on=ISSUED,
        issuing_body="Ban Thường vụ Thành ủy",
        signature_for="T/M BAN THƯỜNG VỤ",
        signer=SECRETARY_TU[0],
        signer_title=SECRETARY_TU[1],
        recipients=[
            *(services.RecipientIn(name, 1, by_code.get(code)) for name, code in ADDRESSED_1000),
            *(services.RecipientIn(name, kind="copy") for name in COPIES_1000),
        ],
        body=body_1000,
        cites=services.cited_symbols(body_1000, exclude=["1000-CV/TU"]),
    )
    documents = 1

    # The People's Committee's register (its office): the seed's two stamps.
    ubnd = Org.objects.filter(code="KDCD-VPUB").first()
    d719 = None
    if ubnd is not None:
        _incoming(
            org=ubnd,
            symbol="1000-CV/TU",
            title=title_1000,
            issuing_body="Ban Thường vụ Thành ủy",
            issuing_org=city,
            issued_on=ISSUED,
            signer=SECRETARY_TU[0],
            signer_title="Phó Bí thư",
            incoming_number="398",
            received_at=_at(dt.date(2023, 6, 17), 8, 56),
            attachment=attachment,
        )
        d719 = _incoming(
            org=ubnd,
            symbol="719 -CV/BCSD",
            title="Về tham mưu thực hiện Công văn số 1000-CV/TU ngày 16 tháng 6 năm 2023 của Ban Thường vụ Thành ủy",
            issuing_body="Ban cán sự đảng Ủy ban nhân dân Thành phố",
            issued_on=dt.date(2023, 6, 23),
            signer="Phan Văn Mai",
            signer_title="Bí thư",
            urgency=Urgency.URGENT,
            incoming_number="432",
            received_at=_at(dt.date(2023, 6, 23), 11, 19),
            recipients=[
                services.RecipientIn("Ủy ban nhân dân Thành phố"),
                services.RecipientIn(
                    "Ủy viên Ban cán sự đảng, Phó Chủ tịch Ủy ban nhân dân Thành phố Dương Anh Đức",
                    kind="copy",
                ),
                services.RecipientIn("VPUB: PCVP/VX (để tham mưu)", kind="copy"),
                services.RecipientIn("Phòng VX (để tham mưu)", kind="copy"),
                services.RecipientIn("Phòng TH", copies=2, kind="copy"),
            ],
            body=letter_719,
            attachment=attachment,
            forwards=["1000-CV/TU ngày 16/06/2023"],
        )
        documents += 2

    # The city's tasks, from the letter's sections.
    sections = _sections(text[text.index("Số 1000-CV/TU") :])
    tasks = []
    for section, target, names in SECTIONS:
        if target == "direct_schools":
            orgs = _direct_with_schools_on(ISSUED)
        else:
            orgs = list(Org.objects.filter(code__in=target.split(","))) if target else []
        tasks.append(
            services.task_create(
                actor=None,
                document=d1000,
                section=section,
                title=_title(sections.get(section, "")) or f"Mục {section}",
                text=sections.get(section, ""),
                recurrence=Recurrence.SEMIANNUAL,
                starts_on=ISSUED,
                report_due_days=10,
                orgs=orgs,
                named_units=names,
            )
        )
    keys = _last_halves(today)
    reports = late = 0
    chain = _school_chain(city, title_1000, today, keys, rng)
    documents += chain["documents"]
    reports += chain["reports"]
    late += chain["late"]
    for task in tasks:
        made, was_late = _reports(task, keys, rng)
        reports += made
        late += was_late

    # Item 8: the City Party Office reports to the city's standing members.
    compiled = 0
    for key in keys:
        period = compiling.report_period(d1000, key)
        issued = min(today - dt.timedelta(days=1), period.end + dt.timedelta(days=20))
        compiling.report_compile(
            actor=None,
            directive=d1000,
            period=key,
            issued_on=issued,
            issuing_unit="office",
            signature_for="",
            signer=OFFICE_HEAD,
            signer_title="CHÁNH VĂN PHÒNG",
            today=today,
        )
        compiled += 1
    current = f"{today.year}-H{1 if today.month <= 6 else 2}"
    compiling.report_compile(
        actor=None,
        directive=d1000,
        period=current,
        issued_on=today - dt.timedelta(days=1),
        issuing_unit="office",
        signature_for="",
        signer=OFFICE_HEAD,
        signer_title="CHÁNH VĂN PHÒNG",
        today=today,
    )
    return {
        "terms": terms,
        "documents": documents,
        "tasks": len(tasks) + chain["tasks"],
        "assignments": sum(t.assignments.count() for t in tasks) + chain["assignments"],
        "reports": reports,
        "late_reports": late,
        "compiled_reports": compiled + chain["compiled"],
        "draft_reports": 1,
        "links": d1000.links_out.count() + (d719.links_out.count() if d719 else 0),
    }


def _school_chain(
    city: Org, title: str, today: dt.date, keys: list[str], rng: random.Random
) -> dict[str, int]:
    """KDHCD and its first university: register, forward with their own letters, give
    section 1 to the units below, collect their reports, and (the school) compile its own."""
    out = {"documents": 0, "tasks": 0, "assignments": 0, "reports": 0, "late": 0, "compiled": 0}
    khoi = Org.objects.filter(code="KDHCD").first()
    school = (
        Org.objects.filter(parent=khoi, kind=OrgKind.GRASSROOTS_COMMITTEE).order_by("path").first()
        if khoi
        else None
    )
    if khoi is None or school is None:
        return out
    letter_1000 = partial(
        _incoming,
        title=title,
        issuing_body="Ban Thường vụ Thành ủy",
        issuing_org=city,
        issued_on=ISSUED,
        signer=SECRETARY_TU[0],
        signer_title="Phó Bí thư",
    )
    letter_1000(
        org=khoi,
        symbol="1000-CV/TU",
        incoming_number="215",
        received_at=_at(dt.date(2023, 6, 19), 9, 40),
    )
    khoi_letter = services.document_issue(
        actor=None,
        org=khoi,
        doc_type="CV",
        number=245,
        title="Về triển khai thực hiện Công văn số 1000-CV/TU ngày 16/6/2023 của Ban Thường vụ Thành ủy",
        issued_on=dt.date(2023, 6, 26),
        signature_for="T/M BAN THƯỜNG VỤ",
        signer=KHOI_DEPUTY,
        signer_title="PHÓ BÍ THƯ",
        recipients=[
            services.RecipientIn("Các đảng ủy, chi bộ cơ sở trường đại học, cao đẳng trực thuộc"),
            services.RecipientIn("Thường trực Thành ủy", kind="copy"),
        ],
        body=(
            "Thực hiện Công văn số 1000-CV/TU ngày 16 tháng 6 năm 2023 của Ban Thường vụ Thành ủy, "
            "Ban Thường vụ Đảng ủy Khối đề nghị các đảng ủy, chi bộ cơ sở trường đại học, cao "
            "đẳng trực thuộc quán triệt, xây dựng kế hoạch thực hiện và báo cáo kết quả định kỳ "
            "06 tháng về Đảng ủy Khối (qua Văn phòng Đảng ủy Khối)."
        ),
        forwards=["1000-CV/TU"],
    )
    khoi_symbol = f"{khoi_letter.symbol} ngày 26/06/2023"
    letter_1000(
        org=school,
        symbol="1000-CV/TU",
        incoming_number="87",
        received_at=_at(dt.date(2023, 6, 27), 14, 5),
    )
    _incoming(
        org=school,
        symbol=khoi_letter.symbol,
        title=khoi_letter.title,
        issuing_body="Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng",
        issuing_org=khoi,
        issued_on=khoi_letter.issued_on,
        signer=KHOI_DEPUTY,
        signer_title="Phó Bí thư",
        incoming_number="88",
        received_at=_at(dt.date(2023, 6, 27), 14, 5),
        forwards=["1000-CV/TU"],
    )
    cells = list(school.children.filter(kind__in=CELL_KINDS).order_by("path"))
    services.document_issue(
        actor=None,
        org=school,
        doc_type="CV",
        title="Về triển khai Công văn số 1000-CV/TU của Ban Thường vụ Thành ủy đến các chi bộ",
        issued_on=dt.date(2023, 6, 30),
        signature_for="T/M ĐẢNG ỦY",
        signer=SCHOOL_SECRETARY,
        signer_title="BÍ THƯ",
        recipients=[
            services.RecipientIn("Các chi bộ trực thuộc"),
            services.RecipientIn("Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng", kind="copy"),
        ],
        body=(
            "Thực hiện Công văn số 1000-CV/TU ngày 16/6/2023 của Ban Thường vụ Thành ủy và "
            f"Công văn số {khoi_letter.symbol} ngày 26/6/2023 của Ban Thường vụ Đảng ủy Khối, "
            "Đảng ủy Trường đề nghị các chi bộ trực thuộc tổ chức quán triệt, lãnh đạo thực hiện "
            "và báo cáo kết quả định kỳ 06 tháng về Đảng ủy (qua Văn phòng Đảng ủy)."
        ),
        forwards=["1000-CV/TU"],
        cites=[khoi_symbol],
    )
    out["documents"] = 5
    khoi_copy = Document.objects.get(org=khoi, symbol="1000-CV/TU")
    school_copy = Document.objects.get(org=school, symbol="1000-CV/TU")
    section_1 = _title(_sections(FIXTURE.read_text(encoding="utf-8")).get("1", "")) or "Mục 1"
    khoi_task = services.task_create(
        actor=None,
        document=khoi_copy,
        section="1",
        title=section_1,
        recurrence=Recurrence.SEMIANNUAL,
        starts_on=dt.date(2023, 6, 26),
        report_due_days=7,
        orgs=list(khoi.children.filter(closed_on__isnull=True).exclude(kind__in=CELL_KINDS)),
    )
    school_task = services.task_create(
        actor=None,
        document=school_copy,
        section="1",
        title="Quán triệt, thực hiện Công văn 1000-CV/TU trong chi bộ; phát triển đảng viên trong sinh viên",
        recurrence=Recurrence.SEMIANNUAL,
        starts_on=dt.date(2023, 6, 30),
        report_due_days=5,
        orgs=cells,
    )
    out["tasks"] = 2
    out["assignments"] = khoi_task.assignments.count() + school_task.assignments.count()
    for task, missing in ((school_task, 0.1), (khoi_task, 0.2)):
        made, was_late = _reports(task, keys, rng, missing=missing)
        out["reports"] += made
        out["late"] += was_late
    latest = compiling.report_period(school_copy, keys[-1])
    compiling.report_compile(
        actor=None,
        directive=school_copy,
        period=keys[-1],
        issued_on=min(today - dt.timedelta(days=1), latest.end + dt.timedelta(days=12)),
        signature_for="T/M ĐẢNG ỦY",
        signer=SCHOOL_SECRETARY,
        signer_title="BÍ THƯ",
        today=today,
    )
    out["compiled"] = 1
    return out
