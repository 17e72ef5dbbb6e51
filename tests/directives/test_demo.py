"""The demo data: both seed documents, their link, the 8 sections as tasks, two half-years of reports, a compiled report."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from docx import Document as Docx

from chibo.directives import demo
from chibo.directives.models import CompiledReport, Document, ProgressReport, Task
from chibo.members.models import Category
from tests import factories as f


@pytest.mark.django_db
def test_seed_demo_on_a_small_tree() -> None:
    tree = f.tree()
    f.org("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", "direct_committee", tree["city"])
    f.member(tree["cell_a"], admitted_on=dt.date(2025, 3, 1), category=Category.STUDENT)
    counts = demo.seed_demo(rng=random.Random(7), today=dt.date(2026, 1, 20), scale=0.1)
    d1000 = Document.objects.get(symbol="1000-CV/TU")
    d719 = Document.objects.get(symbol="719-CV/BCSĐ")
    assert (d1000.incoming_number, d1000.received_at.strftime("%d/%m/%Y %H:%M")) == (
        "398",
        "17/06/2023 01:56",
    )
    assert d719.urgency == "urgent" and d719.links_out.get().target == d1000
    cited = set(d1000.links_out.values_list("target_symbol", flat=True))
    assert {
        "29-NQ/TW",
        "14-CT/TU",
        "31-NQ/TW",
        "01-KL/TW",
        "07-QC/TU",
        "97-QĐ/TW",
        "02-CTr/TU",
    } <= cited
    assert "Kính gửi" in bytes(d1000.attachment.data).decode()
    assert Task.objects.filter(document=d1000).count() == 8
    section1 = Task.objects.get(document=d1000, section="1")
    assert {a.org.code for a in section1.assignments.all()} == {"KDHCD", "Q1"}
    assert (
        Task.objects.get(document=d1000, section="4").assignments.get().unit_name
        == "Ban Thường vụ Thành Đoàn"
    )
    assert Task.objects.get(document=d1000, section="5").assignments.get().org.code == "SGDDT"
    periods = set(ProgressReport.objects.values_list("period", flat=True))
    assert periods <= {"2025-H1", "2025-H2"} and counts["reports"] == ProgressReport.objects.count()
    compiled = CompiledReport.objects.get()
    assert compiled.period == "2025-H2" and compiled.output.symbol == "01-BC/TU"
    head = Docx(io.BytesIO(bytes(compiled.output.attachment.data))).tables[0].rows[0].cells
    assert head[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert counts["tasks"] == 8 and counts["compiled_reports"] == 1


@pytest.mark.django_db
def test_seed_demo_after_the_base_seed() -> None:
    from django.core.management import call_command

    call_command("seed-demo", "--members", "300")
    if not Document.objects.exists():  # seed-demo does not call us yet: do it here
        counts = demo.seed_demo(rng=random.Random(1), today=dt.date.today(), scale=0.1)
        assert counts["tasks"] == 8 and counts["compiled_reports"] == 1
    assert demo.seed_demo(rng=random.Random(1), today=dt.date.today(), scale=0.1) == {
        "documents": 0
    }
    assert Task.objects.count() == 8 and CompiledReport.objects.count() == 1
    assert ProgressReport.objects.filter(submitted_at__isnull=False).exists()
    codes = set(
        Task.objects.get(section="1")
        .assignments.exclude(org=None)
        .values_list("org__code", flat=True)
    )
    assert {"DHQG", "KDHCD", "SGDDT"} <= codes


@pytest.mark.django_db
def test_directive_text_keeps_paragraphs_and_shows_the_footnote_as_a_footnote() -> None:
    """Issue 17: the footnote of 1000-CV/TU was spliced into a sentence of one wall of text."""
    import re

    from django.test import Client

    from chibo.directives.models import Assignment

    tree = f.tree()
    f.org("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", "direct_committee", tree["city"])
    demo.seed_demo(rng=random.Random(7), today=dt.date(2026, 1, 20), scale=0.1)
    section1 = Task.objects.get(document__symbol="1000-CV/TU", section="1")
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
