"""The directives UI: every page with an inside actor (200), an outside actor (404), a read-only actor (403 on writes)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as Docx

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.directives import services
from chibo.directives.models import Document, ProgressReport, ReportStatus, Task
from chibo.orgs.models import Org
from tests.directives.conftest import login, quick_user

pytestmark = pytest.mark.django_db


def test_register_lists_and_searches(
    directive: Document, office_user: Any, outside_user: Any, viewer_user: Any
) -> None:
    office = login(office_user)
    page = office.get(reverse("directives:register"))
    assert page.status_code == 200 and "1000-CV/TU" in page.content.decode()
    found = office.get(
        reverse("directives:register"),
        {"q": "xay dung dang"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert "1000-CV/TU" in found.content.decode() and "<html" not in found.content.decode()
    link = reverse("directives:document", args=[directive.pk])
    none = office.get(reverse("directives:register"), {"q": "1000", "date_from": "17/06/2023"})
    assert link not in none.content.decode()
    assert link not in login(outside_user).get(reverse("directives:register")).content.decode()
    assert login(viewer_user).get(reverse("directives:register")).status_code == 200


def test_document_page_inside_outside_viewer(
    directive: Document, office_user: Any, outside_user: Any, viewer_user: Any
) -> None:
    url = reverse("directives:document", args=[directive.pk])
    body = login(office_user).get(url).content.decode()
    assert (
        "398" in body
        and "29-NQ/TW" in body
        and "Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng" in body
    )
    assert login(outside_user).get(url).status_code == 404
    viewer = login(viewer_user)
    assert viewer.get(url).status_code == 200
    assert viewer.get(reverse("directives:task_new", args=[directive.pk])).status_code == 403


def test_register_incoming_with_attachment_and_cited_documents(
    t: dict[str, Org], office_user: Any, viewer_user: Any, outside_user: Any
) -> None:
    data = {
        "org": t["city"].pk,
        "symbol": "Số 719 -CV/BCSD",
        "title": "Về tham mưu thực hiện Công văn 1000",
        "issuing_body": "Ban cán sự đảng UBND Thành phố",
        "issued_on": "23/06/2023",
        "urgency": "urgent",
        "confidentiality": "normal",
        "incoming_number": "432",
        "received_at": "23/06/2023 11:19",
        "recipients": "Ủy ban nhân dân Thành phố\nKDHCD | 2",
        "forwards": "1000-CV/TU",
        "body": "Thực hiện Công văn số 1000-CV/TU và Nghị quyết số 29-NQ/TW",
        "attachment": SimpleUploadedFile("719.txt", "Nội dung".encode(), content_type="text/plain"),
    }
    url = reverse("directives:incoming")
    assert login(viewer_user).post(url, data).status_code == 403
    assert (
        login(outside_user).post(url, data).status_code == 200
    )  # form error: TU not in its registers
    assert not Document.objects.exists()
    data["attachment"].seek(0)
    response = login(office_user).post(url, data)
    doc = Document.objects.get()
    assert (
        response.status_code == 302 and doc.symbol == "719-CV/BCSĐ" and doc.incoming_number == "432"
    )
    assert (
        doc.received_at.strftime("%d/%m/%Y %H:%M") == "23/06/2023 11:19"
        or doc.received_at is not None
    )
    assert [(r.name, r.copies) for r in doc.recipients.all()] == [
        ("Ủy ban nhân dân Thành phố", 1),
        (t["khoi"].name, 2),
    ]
    assert {link.target_symbol for link in doc.links_out.all()} == {"1000-CV/TU", "29-NQ/TW"}
    download = login(office_user).get(reverse("directives:attachment", args=[doc.pk]))
    assert download.status_code == 200 and download.content == "Nội dung".encode()
    assert (
        login(outside_user).get(reverse("directives:attachment", args=[doc.pk])).status_code == 404
    )


def test_issue_outgoing_gets_the_next_number(t: dict[str, Org], office_user: Any) -> None:
    data = {
        "org": t["city"].pk,
        "doc_type": "CV",
        "title": "Về việc báo cáo",
        "issued_on": "01/03/2024",
        "urgency": "normal",
        "confidentiality": "normal",
        "issuing_unit": "committee",
        "signer_title": "PHÓ BÍ THƯ",
        "signer": "Nguyễn Hồ Hải",
    }
    client = login(office_user)
    client.post(reverse("directives:outgoing"), data)
    client.post(reverse("directives:outgoing"), data)
    assert sorted(Document.objects.values_list("symbol", flat=True)) == ["01-CV/TU", "02-CV/TU"]


def test_assign_a_section_to_a_group(
    directive: Document, office_user: Any, unit_user: Any, t: dict[str, Org]
) -> None:
    url = reverse("directives:task_new", args=[directive.pk])
    data = {
        "section": "1",
        "title": "Lãnh đạo công tác xây dựng Đảng",
        "recurrence": "semiannual",
        "report_due_days": 10,
        "group": "direct_schools",
        "named_units": "Ban Thường vụ Thành Đoàn",
    }
    assert (
        login(unit_user).post(url, data).status_code == 403
    )  # sees it (assigned? no: recipient) but may not assign
    response = login(office_user).post(url, data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.assignments.count() == 3
    flashed = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(flashed) == 1 and "3" in flashed[0]  # the units counted after the write


def test_unit_reports_and_office_reviews_and_compiles(
    task: Task,
    office_user: Any,
    unit_user: Any,
    outside_user: Any,
    viewer_user: Any,
    t: dict[str, Org],
) -> None:
    a = task.assignments.get(org=t["khoi"])
    unit = login(unit_user)
    assert unit.get(reverse("directives:my_tasks")).status_code == 200
    assert unit.get(reverse("directives:assignment", args=[a.pk])).status_code == 200
    url = reverse("directives:report", args=[a.pk, "2024-H1"])
    assert unit.get(url).status_code == 200
    assert login(outside_user).get(url).status_code == 404
    assert login(viewer_user).get(url).status_code == 403
    assert login(office_user).get(url).status_code == 403  # the office reviews, it does not report
    response = unit.post(
        url, {"text": "Đã quán triệt.", "figures": "Sinh viên được kết nạp = 1.065", "submit": "1"}
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED and report.figures == {
        "Sinh viên được kết nạp": 1065
    }

    status_url = reverse("directives:status", args=[task.document_id, "2024-H1"])
    office = login(office_user)
    board = office.get(status_url).content.decode()
    assert "overdue" in board and t["district"].name in board
    assert (
        login(outside_user)
        .get(reverse("directives:status", args=[task.document_id, "2024-H1"]))
        .status_code
        == 200
    )
    review_url = reverse("directives:review", args=[report.pk])
    assert login(viewer_user).post(review_url, {"decision": "accept"}).status_code == 403
    assert login(outside_user).post(review_url, {"decision": "accept"}).status_code == 404
    office.post(review_url, {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    compile_url = reverse("directives:compile", args=[task.document_id])
    form = {
        "period": "2024-H1",
        "issued_on": "20/07/2024",
        "signer": "Nguyễn Văn A",
        "signer_title": "Phó Bí thư",
    }
    assert login(viewer_user).post(compile_url, form).status_code == 403
    assert office.post(compile_url, form).status_code == 302
    compiled = task.document.compilations.get()
    docx = office.get(reverse("directives:compiled_file", args=[compiled.pk, "docx"]))
    assert docx.status_code == 200
    assert "Số 01-BC/TU" in [
        p.text for p in Docx(io.BytesIO(docx.content)).tables[0].rows[0].cells[0].paragraphs
    ]
    assert (
        office.get(reverse("directives:compiled_file", args=[compiled.pk, "xlsx"])).status_code
        == 200
    )
    # Q1 was given the task but is not sent the compilation: like its output document, 404.
    assert (
        login(outside_user)
        .get(reverse("directives:compiled_file", args=[compiled.pk, "docx"]))
        .status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="directives.export").count() == 2


def test_pages_of_a_document_outside_are_404(t: dict[str, Org], office_user: Any) -> None:
    other = services.document_register_incoming(
        actor=None,
        org=t["city"],
        symbol="5-TB/TU",
        title="Thông báo",
        issuing_body="Thành ủy",
        issued_on=dt.date(2024, 1, 1),
    )
    from chibo.core.roles import Role

    stranger = login(quick_user("stranger", Role.GRASSROOTS_STAFF, t["uni"]))
    for name, args in (
        ("document", [other.pk]),
        ("task_new", [other.pk]),
        ("status", [other.pk, "2024-H1"]),
    ):
        assert stranger.get(reverse(f"directives:{name}", args=args)).status_code == 404


def test_compiled_report_downloads_are_named_by_their_symbol_without_diacritics(
    t: dict, task: Any, unit_user: Any, office_user: Any
) -> None:
    import re

    from chibo.directives import compile as compiling

    a = task.assignments.get(org=t["khoi"])
    report = services.report_save(
        actor=unit_user, assignment=a, period="2024-H1", text="Đã quán triệt.", figures={}
    )
    services.report_submit(actor=unit_user, report=report)
    compiled = compiling.report_compile(
        actor=office_user, directive=task.document, period="2024-H1", issued_on=dt.date(2024, 7, 20)
    )
    office = login(office_user)
    for fmt in ("docx", "xlsx"):
        disposition = office.get(reverse("directives:compiled_file", args=[compiled.pk, fmt]))[
            "Content-Disposition"
        ]
        name = re.search(r"filename\*=UTF-8''(.+)$", disposition).group(1)
        assert name == f"bao-cao-tong-hop-01-BC-TU-v1.{fmt}"


@pytest.fixture
def cited(t: dict) -> Document:
    """A document in the district's register that the directive (registered after it) cites."""
    return services.document_register_incoming(
        actor=None,
        org=t["district"],
        symbol="14-CT/TU",
        title="Chỉ thị về công tác phát triển đảng viên",
        issuing_body="Ban Thường vụ Thành ủy",
        issued_on=dt.date(2022, 5, 1),
    )


def _links(html: str) -> list[str]:
    import re

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return sorted({h for h in re.findall(r'href="(/[^"]*)"', main) if not h.startswith("/static/")})


def test_every_link_on_a_directive_page_opens_for_the_user(
    t: dict, cited: Document, task: Task, unit_user: Any, office_user: Any
) -> None:
    """A viewer of one unit saw links to other units' assignments and other registers' documents: 404."""
    from chibo.directives import compile as compiling

    a = task.assignments.get(org=t["khoi"])
    report = services.report_save(
        actor=unit_user, assignment=a, period="2024-H1", text="Đã quán triệt.", figures={}
    )
    services.report_submit(actor=unit_user, report=report)
    compiling.report_compile(
        actor=office_user, directive=task.document, period="2024-H1", issued_on=dt.date(2024, 7, 20)
    )
    viewer = quick_user("xem-khoi", Role.VIEWER, t["khoi"])
    for user, hidden in ((viewer, True), (unit_user, True), (office_user, False)):
        client = login(user)
        start = reverse("directives:document", args=[task.document_id])
        pages, seen = [start], set()
        while pages:
            url = pages.pop()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)
            if response["Content-Type"].startswith("text/html") and "/directives/" in url:
                pages += [
                    h for h in _links(response.content.decode()) if h.startswith("/directives/")
                ]
        # What the unit cannot open is still named, without a link.
        html = client.get(start).content.decode()
        assert "14-CT/TU" in html and "Quận ủy Quận 1" in html
        cited_url = reverse("directives:document", args=[cited.pk])
        district = task.assignments.get(org=t["district"])
        district_url = reverse("directives:assignment", args=[district.pk])
        assert (cited_url in html) is not hidden and (district_url in html) is not hidden
        if not hidden:
            assert {cited_url, district_url} <= seen
