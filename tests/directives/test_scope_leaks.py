"""Other units' reports stay with those who may read them (review items 3 and 4).

The status page and its API showed every unit's report text, figures and
review comments to anyone who could see the directive, while the unit's own
assignment page answered 404; compiled reports (every unit's figures) were
downloadable by anyone who could see the directive, while their output
document answered 404. Now both follow the assignment's and the output
document's scope.
"""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from chibo.core.roles import Role
from chibo.directives import compile as compiling
from chibo.directives import services
from chibo.directives.models import Task
from chibo.orgs.models import Org
from tests.directives.conftest import login, quick_user

PERIOD = "2024-H1"
SECRET_Q1 = "Quận 1 chưa hoàn thành chỉ tiêu kết nạp"
SECRET_FIGURE = "Số chi bộ yếu kém ở Quận 1"
SECRET_COMMENT = "Trả lại: số liệu Quận 1 chưa khớp"


def _both_report(task: Task, t: dict[str, Org], office_user: Any) -> None:
    khoi = quick_user("khoi-bithu", Role.SUPERIOR_STAFF, t["khoi"])
    q1 = quick_user("q1-bithu", Role.SUPERIOR_STAFF, t["district"])
    for user, org, text, figures in (
        (khoi, t["khoi"], "Khối đã quán triệt.", {"Sinh viên được kết nạp": 12}),
        (q1, t["district"], SECRET_Q1, {SECRET_FIGURE: 7}),
    ):
        report = services.report_save(
            actor=user,
            assignment=task.assignments.get(org=org),
            period=PERIOD,
            text=text,
            figures=figures,
        )
        report = services.report_submit(actor=user, report=report)
        if org == t["district"]:
            services.report_review(
                actor=office_user, report=report, accept=False, comment=SECRET_COMMENT
            )


def test_status_page_shows_only_the_units_in_scope(
    task: Task, t: dict[str, Org], office_user: Any, unit_user: Any
) -> None:
    _both_report(task, t, office_user)
    url = reverse("directives:status", args=[task.document_id, PERIOD])
    khoi_viewer = quick_user("khoi-xem", Role.VIEWER, t["khoi"])
    for user in (unit_user, khoi_viewer):
        page = login(user).get(url).content.decode()
        assert "Khối đã quán triệt." in page
        for secret in (SECRET_Q1, SECRET_FIGURE, SECRET_COMMENT, t["district"].name):
            assert secret not in page, (user.username, secret)
        assert "Ban Thường vụ Thành Đoàn" not in page  # a named unit's paper status too
        assert "Còn 2 đơn vị khác" in page  # counted, no status
    # The issuer's register follows every unit.
    page = login(office_user).get(url).content.decode()
    assert SECRET_Q1 in page and SECRET_COMMENT in page and "đơn vị khác được giao" not in page


def test_status_api_shows_only_the_units_in_scope(
    task: Task, t: dict[str, Org], office_user: Any, unit_user: Any
) -> None:
    _both_report(task, t, office_user)
    url = f"/api/v1/directives/documents/{task.document_id}/status/{PERIOD}"
    [board] = login(unit_user).get(url).json()
    assert [row["org"] for row in board["rows"]] == [t["khoi"].code]
    assert (board["total"], board["reported"], board["others"]) == (1, 1, 2)
    [board] = login(office_user).get(url).json()
    assert board["total"] == 3 and board["others"] == 0
    q1 = next(r for r in board["rows"] if r["org"] == t["district"].code)
    assert q1["state"] == "returned"


def test_compiled_report_downloads_follow_the_output_documents_scope(
    task: Task, t: dict[str, Org], office_user: Any, unit_user: Any
) -> None:
    _both_report(task, t, office_user)
    compiled = compiling.report_compile(actor=office_user, directive=task.document, period=PERIOD)
    khoi = login(unit_user)
    assert khoi.get(reverse("directives:document", args=[task.document_id])).status_code == 200
    assert khoi.get(reverse("directives:document", args=[compiled.output_id])).status_code == 404
    for fmt in ("docx", "xlsx"):
        url = reverse("directives:compiled_file", args=[compiled.pk, fmt])
        assert khoi.get(url).status_code == 404
        assert khoi.get(f"/api/v1/directives/compiled/{compiled.pk}/{fmt}").status_code == 404
    page = khoi.get(reverse("directives:document", args=[task.document_id])).content.decode()
    for fmt in ("docx", "xlsx"):  # no link to a file it may not read
        assert reverse("directives:compiled_file", args=[compiled.pk, fmt]) not in page
    listed = khoi.get(f"/api/v1/directives/documents/{task.document_id}/compiled").json()
    assert listed == []  # nor its figures through the list
    office = login(office_user)
    body = office.get(reverse("directives:compiled_file", args=[compiled.pk, "xlsx"])).content
    units = [
        r[1] for r in load_workbook(io.BytesIO(body)).worksheets[1].iter_rows(values_only=True)
    ]
    assert t["district"].name in units
