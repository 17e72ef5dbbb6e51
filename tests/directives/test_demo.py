"""The demo shows the directive as it really travelled: 1000-CV/TU as the city's outgoing
letter, the seed's stamps in the People's Committee's register, the forward down to a
school and its cells, the City Party Office's 6-monthly report, and the 2025 reform."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from chibo.directives import compile as compiling
from chibo.directives import demo
from chibo.directives.models import CompiledReport, Direction, Document, ProgressReport, Task
from chibo.lib.partydoc import read_back
from chibo.members.models import Category
from chibo.orgs import letterhead
from chibo.orgs.models import Org, OrgKind, OrgPeriod
from tests import factories as f

TODAY = dt.date(2026, 1, 20)


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def seeded(db: None) -> dict[str, object]:
    tree = f.tree()
    f.org("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", OrgKind.DIRECT_COMMITTEE, tree["city"])
    kdcd = f.org(
        "KDCD", "Đảng ủy Khối Dân - Chính - Đảng Thành phố", OrgKind.DIRECT_COMMITTEE, tree["city"]
    )
    f.org("KDCD-VPUB", "Chi bộ Văn phòng Ủy ban nhân dân Thành phố", OrgKind.GRASSROOTS_CELL, kdcd)
    f.member(tree["cell_a"], admitted_on=dt.date(2025, 3, 1), category=Category.STUDENT)
    counts = demo.seed_demo(rng=random.Random(7), today=TODAY, scale=0.1)
    return {"tree": tree, "counts": counts}


@pytest.mark.django_db
def test_1000_is_the_citys_outgoing_letter(seeded: dict) -> None:
    d1000 = Document.objects.get(org__code="TU", symbol="1000-CV/TU")
    assert d1000.direction == Direction.OUTGOING and d1000.number == 1000
    assert d1000.term.name == "2020–2025" and d1000.issued_on == dt.date(2023, 6, 16)
    back = read_back(demo_docx(d1000))
    assert back.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH"] and back.symbol_line == "Số 1000-CV/TU"
    assert back.subject.startswith("V/v tăng cường công tác xây dựng Đảng")
    assert back.signature == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Hồ Hải"]
    assert "Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng thành phố" in back.to
    assert (
        back.recipients[0] == "- Như trên," and back.recipients[-1] == "- Lưu Văn phòng Thành ủy."
    )
    cited = set(d1000.links_out.values_list("target_symbol", flat=True))
    assert {"29-NQ/TW", "14-CT/TU", "31-NQ/TW", "01-KL/TW", "07-QC/TU", "97-QĐ/TW"} <= cited
    assert not Document.objects.filter(
        org__code="TU", direction=Direction.INCOMING, symbol="1000-CV/TU"
    ).exists()


def demo_docx(document: Document) -> bytes:
    from chibo.directives.documents import document_docx

    return document_docx(document)


@pytest.mark.django_db
def test_the_seed_stamps_are_in_the_receiving_register(seeded: dict) -> None:
    copy = Document.objects.get(org__code="KDCD-VPUB", symbol="1000-CV/TU")
    assert (copy.incoming_number, _local(copy.received_at)) == ("398", "17/06/2023 08:56")
    d719 = Document.objects.get(symbol="719-CV/BCSĐ")
    assert d719.org.code == "KDCD-VPUB" and d719.urgency == "urgent"
    assert (d719.incoming_number, _local(d719.received_at)) == ("432", "23/06/2023 11:19")
    assert d719.links_out.get().target == copy  # the register's own copy, not the city's


@pytest.mark.django_db
def test_the_directive_travels_down_to_a_school_and_its_cells(seeded: dict) -> None:
    tree = seeded["tree"]
    khoi_copy = Document.objects.get(org=tree["khoi"], symbol="1000-CV/TU")
    khoi_letter = Document.objects.get(org=tree["khoi"], direction=Direction.OUTGOING)
    assert khoi_letter.symbol == "245-CV/ĐUK" and khoi_letter.links_out.get().target == khoi_copy
    school_letter = Document.objects.get(
        org=tree["uni"], direction=Direction.OUTGOING, doc_type="CV"
    )
    assert school_letter.symbol == "01-CV/ĐU"
    forwarded = school_letter.links_out.get(kind="forwards").target
    assert forwarded.org == tree["uni"] and forwarded.incoming_number == "87"
    school_task = Task.objects.get(document__org=tree["uni"])
    assert {a.org.code for a in school_task.assignments.all()} == {"BK-SV1", "BK-GV1"}
    section1 = Task.objects.get(document__org__code="TU", section="1")
    assert {a.org.code for a in section1.assignments.all()} == {"KDHCD", "Q1"}
    school_report = CompiledReport.objects.get(directive__org=tree["uni"])
    back = read_back(compiling.compiled_docx(school_report))
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert school_report.output.symbol == "01-BC/ĐU"
    assert back.signature[0] == "T/M ĐẢNG ỦY"
    assert back.recipients == [
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]


@pytest.mark.django_db
def test_the_city_office_reports_to_the_standing_members(seeded: dict) -> None:
    office = CompiledReport.objects.filter(directive__org__code="TU", draft=False).order_by(
        "period"
    )
    assert [c.period for c in office] == ["2025-H1", "2025-H2"]
    # 20/07/2025 and 19/01/2026 fall in two terms (the congress closed 15/10/2025): 01 twice.
    assert [(c.output.symbol, c.output.term.name) for c in office] == [
        ("01-BC/VPTU", "2020–2025"),
        ("01-BC/VPTU", "2025–2030"),
    ]
    back = read_back(compiling.compiled_docx(office.last()))
    assert back.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "VĂN PHÒNG"]
    assert back.signature == ["CHÁNH VĂN PHÒNG", demo.OFFICE_HEAD]
    assert back.recipients == ["- Thường trực Thành ủy,", "- Lưu Văn phòng Thành ủy."]
    draft = CompiledReport.objects.get(directive__org__code="TU", draft=True)
    assert draft.period == "2026-H1" and draft.output is None
    periods = set(ProgressReport.objects.values_list("period", flat=True))
    assert periods <= {"2025-H1", "2025-H2"}
    assert seeded["counts"]["reports"] == ProgressReport.objects.count()
    assert demo.seed_demo(rng=random.Random(1), today=TODAY, scale=0.1) == {"documents": 0}


@pytest.mark.django_db
def test_the_2025_reform_in_the_seeded_demo() -> None:
    from django.core.management import call_command

    call_command("seed-demo", "--members", "300")
    districts = Org.objects.filter(kind=OrgKind.DIRECT_COMMITTEE, code__in=["TD", "Q1", "Q3"])
    assert districts and all(d.closed_on == dt.date(2025, 7, 1) for d in districts)
    assert not Org.objects.filter(parent__in=districts, closed_on__isnull=True).exists()
    moved = OrgPeriod.objects.filter(parent__in=districts).select_related("org").first()
    assert moved.valid_to == dt.date(2025, 7, 1)
    school = moved.org
    assert school.parent.code == "TU"
    before = [line.text for line in letterhead.header_lines(school, dt.date(2025, 6, 30))]
    after = [line.text for line in letterhead.header_lines(school, dt.date(2025, 7, 1))]
    assert before[0] != after[0] and after[0] == "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH"
    # Reports keep the tree of each date: 2024 by district, the second half of 2025 without.
    from chibo.reports import figures

    city = Org.objects.get(code="TU")
    district_codes = set(
        Org.objects.filter(kind=OrgKind.DIRECT_COMMITTEE, closed_on__isnull=False).values_list(
            "code", flat=True
        )
    )
    before = figures.admissions(city, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).breakdown()
    after = figures.admissions(city, dt.date(2025, 7, 1), dt.date(2025, 12, 31)).breakdown()
    assert {r["org"] for r in before["by_unit"]} & district_codes
    assert not {r["org"] for r in after["by_unit"]} & district_codes
    # Section 1 went to the district committees as they stood in 2023.
    section1 = Task.objects.get(document__org__code="TU", section="1")
    codes = set(section1.assignments.exclude(org=None).values_list("org__code", flat=True))
    assert {"DHQG", "KDHCD", "SGDDT", "TD"} <= codes
    assert CompiledReport.objects.filter(output__symbol__endswith="/VPTU").count() == 2
    assert CompiledReport.objects.filter(draft=True).count() == 1


@pytest.mark.django_db
def test_directive_text_keeps_paragraphs_and_shows_the_footnote_as_a_footnote() -> None:
    """Issue 17: the footnote of 1000-CV/TU was spliced into a sentence of one wall of text."""
    import re

    from django.test import Client

    from chibo.directives.models import Assignment

    tree = f.tree()
    f.org("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", "direct_committee", tree["city"])
    demo.seed_demo(rng=random.Random(7), today=dt.date(2026, 1, 20), scale=0.1)
    section1 = Task.objects.get(document__org__code="TU", section="1")
    # Paragraphs kept; the sentence cut by the page break is whole again; the footnote last.
    paragraphs = section1.text.split("\n\n")
    assert [p[:4] for p in paragraphs[1:7]] == ["1.1.", "1.2.", "1.3.", "1.4.", "1.5.", "1.6."]
    assert "đổi mới căn bản, toàn diện giáo dục và đào tạo, đáp ứng" in paragraphs[1]
    assert paragraphs[-1].startswith("¹ Từ năm 2020 đến nay")
    assert "¹" not in "".join(paragraphs[:-1])
    assignment = Assignment.objects.filter(task=section1).first()
    client = Client()
    client.force_login(f.user("vanphong", "city_office", tree["city"]))
    html = client.get(f"/directives/assignments/{assignment.pk}/").content.decode()
    text = html.split('<div class="document-text">', 1)[1].split("</div>", 1)[0]
    body, notes = text.split('<aside class="footnotes"', 1)
    assert body.count("<p>") == len(paragraphs) - 1 >= 7
    assert "Từ năm 2020" not in body
    assert re.search(r'<li id="fn-1"><span class="fn-marker">¹</span> Từ năm 2020 đến nay', notes)
