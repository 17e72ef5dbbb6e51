"""The start page "Việc cần làm": each role's work of the month, each line linking to its page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.activity import dues, periods, services, tracking
from chibo.activity.models import Meeting, MeetingKind, MemberWarning, WarningLevel
from chibo.admissions.models import Candidate
from chibo.core.notify import notify
from chibo.core.roles import Role
from chibo.home import work
from chibo.members import services as member_services
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH = periods.month_of(TODAY)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pay_through(member: Any, last: dt.date) -> None:
    from chibo.activity.models import DuesPayment

    paid = set(DuesPayment.objects.filter(member=member).values_list("period", flat=True))
    months = [m for m in periods.span(dt.date(last.year, 1, 1), last) if m not in paid]
    if months:
        dues.dues_pay(
            actor=None, member=member, months=months, amount_vnd=5000, paid_on=TODAY, confirm=True
        )


def _mentor(org: Any, code: str) -> Any:
    """A full member (a candidate's mentor must be one)."""
    member = factories.member(
        org,
        code=code,
        full_name="Hồ Văn Mẫn",
        admitted_on=dt.date(2020, 1, 10),
        date_of_birth=dt.date(1985, 1, 1),
    )
    member_services.member_recognize(
        actor=None,
        member=member,
        decided_on=member.probation_ends_on,
        decision=member_services.Decision(number="5-QĐ/ĐU"),
    )
    return member


def _links(html: str) -> dict[str, str]:
    """The to-do lines: {label: href}."""
    return {
        re.sub(r"\s+", " ", label).strip(): href
        for href, label in re.findall(
            r'<li class="todo[^"]*"><a href="([^"]+)">.*?<span class="todo-label">(.*?)</span>',
            html,
            re.S,
        )
    }


@pytest.fixture
def cell(tree: dict[str, Any]) -> dict[str, Any]:
    """Cell A with three members: one paid through this month, one behind, one never paid."""
    people = [
        factories.member(
            tree["cell_a"], full_name=n, code=f"DV-A{i}", admitted_on=dt.date(2024, 3, 1)
        )
        for i, n in enumerate(["Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm"])
    ]
    _pay_through(people[0], MONTH)
    _pay_through(people[1], periods.shift(MONTH, -2) if MONTH.month > 2 else MONTH.replace(month=1))
    secretary = factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    return {"people": people, "secretary": secretary, **tree}


def test_secretary_sees_the_months_work_with_links(cell: dict[str, Any]) -> None:
    notify(user=cell["secretary"], kind="x", message="Nhắc việc thử")
    html = _client(cell["secretary"]).get("/").content.decode()
    links = _links(html)
    assert links[f"Chưa họp chi bộ thường kỳ tháng {MONTH:%m/%Y}."] == (
        "/activity/meetings/new/?org=BK-SV1"
    )
    thematic = next(k for k in links if k.startswith("Chưa sinh hoạt chuyên đề"))
    assert links[thematic] == "/activity/meetings/new/?org=BK-SV1&amp;kind=thematic"
    # The cell is tracked from its first dues payment: two members are behind.
    dues_line = f"đảng viên chưa đóng đảng phí đến hết tháng {MONTH:%m/%Y}"
    assert links[dues_line] == "/activity/dues/?org=BK-SV1"
    assert re.search(
        r'<span class="todo-count">2</span><span class="todo-label">' + dues_line, html
    )
    assert links["thông báo chưa đọc"] == "/notifications/?unread=1"
    assert "Nhắc việc thử" in html


def test_a_cell_without_data_is_a_cell_to_follow_up_never_an_accusation(
    tree: dict[str, Any],
) -> None:
    """No meeting and no payment recorded: nobody is counted as unpaid (issue 17's rule)."""
    for i in range(3):
        factories.member(tree["cell_b"], code=f"DV-B{i}")
    secretary = factories.user("bithu-b", Role.CELL_SECRETARY, tree["cell_b"])
    links = _links(_client(secretary).get("/").content.decode())
    line = next(k for k in links if k.startswith("Chi bộ chưa có dữ liệu sinh hoạt"))
    assert links[line] == "/activity/meetings/?org=BK-GV1"
    assert not any(k.startswith("đảng viên chưa đóng đảng phí") for k in links)
    staff = factories.user("cs", Role.GRASSROOTS_STAFF, tree["uni"])
    committee = _links(_client(staff).get("/").content.decode())
    assert (
        committee[
            "chi bộ chưa có dữ liệu sinh hoạt (chưa ghi cuộc họp hay đảng phí nào): cần theo dõi"
        ]
        == "/activity/tracking/?org=BK"
    )
    result = work.compute(tree["uni"], TODAY)
    assert result.total.n["no_data"] == 1 and result.total.n["missed_last_month"] == 0


def test_a_held_meeting_without_attendance_links_to_its_sheet(cell: dict[str, Any]) -> None:
    if TODAY.day == 1:
        pytest.skip("needs a day of this month before today")
    # Planned before its day (no rows), and the day has come.
    tracking.note_records(meetings={cell["cell_a"].pk: TODAY - dt.timedelta(days=1)})
    meeting = Meeting.objects.create(
        org=cell["cell_a"],
        kind=MeetingKind.REGULAR,
        held_on=TODAY - dt.timedelta(days=1),
        month=MONTH,
    )
    html = _client(cell["secretary"]).get("/").content.decode()
    links = _links(html)
    line = next(k for k in links if "chưa điểm danh" in k)
    assert links[line] == f"/activity/meetings/{meeting.pk}/#sheet"
    assert not any(k.startswith("Chưa họp chi bộ thường kỳ") for k in links)
    # Now the cell is tracked: two members have not paid through this month.
    dues_line = f"đảng viên chưa đóng đảng phí đến hết tháng {MONTH:%m/%Y}"
    assert dues_line in links
    assert re.search(
        r'<span class="todo-count">2</span><span class="todo-label">' + dues_line, html
    )


def test_a_planned_meeting_is_linked(cell: dict[str, Any]) -> None:
    last_day = periods.month_end(MONTH)
    if last_day == TODAY:
        pytest.skip("needs a day of this month after today")
    # Planned ahead (an import; the pages record only meetings that took place).
    meeting = Meeting.objects.create(
        org=cell["cell_a"], kind=MeetingKind.REGULAR, held_on=last_day, month=MONTH
    )
    links = _links(_client(cell["secretary"]).get("/").content.decode())
    line = next(k for k in links if "đã lên lịch" in k)
    assert links[line] == f"/activity/meetings/{meeting.pk}/"


def test_nothing_left_to_do(cell: dict[str, Any]) -> None:
    for kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
        services.meeting_create(
            actor=None, org=cell["cell_a"], kind=kind, held_on=TODAY, topic="Học tập Nghị quyết"
        )
    for m in cell["people"]:
        _pay_through(m, MONTH)
    html = _client(cell["secretary"]).get("/").content.decode()
    assert "Không còn việc nào của tháng này." in html
    assert _links(html) == {}


def test_warnings_admissions_and_transfers_are_counted(cell: dict[str, Any]) -> None:
    a0, a1, a2 = cell["people"]
    for member, level in ((a0, WarningLevel.WARNING), (a1, WarningLevel.REMOVAL_REVIEW)):
        MemberWarning.objects.create(member=member, org=cell["cell_a"], level=level, as_of=TODAY)
    mentor = _mentor(cell["cell_a"], "DV-M")
    late = factories.candidate(cell["cell_a"], mentor, full_name="Trần Thị Cúc")
    soon = factories.candidate(cell["cell_a"], mentor, full_name="Ngô Văn Dũng")
    Candidate.objects.filter(pk=late.pk).update(next_due=TODAY - dt.timedelta(days=3))
    Candidate.objects.filter(pk=soon.pk).update(next_due=TODAY + dt.timedelta(days=5))
    member_services.member_transfer_out(
        actor=None,
        member=a2,
        effective_date=TODAY,
        decision=member_services.Decision(number="5-QĐ/ĐU"),
        destination_org=cell["school"],
    )
    secretary_links = _links(_client(cell["secretary"]).get("/").content.decode())
    assert secretary_links[
        "đảng viên có cảnh báo sớm (vắng sinh hoạt hoặc chưa đóng đảng phí)"
    ] == ("/activity/warnings/?org=BK-SV1&amp;level=warning")
    assert secretary_links["đảng viên đã đến ngưỡng xem xét xóa tên: trao đổi với chi bộ"].endswith(
        "level=removal_review"
    )
    assert secretary_links["bước kết nạp đã quá hạn"] == "/admissions/?org=BK-SV1&amp;overdue=1"
    assert secretary_links["bước kết nạp đến hạn trong 14 ngày tới"] == "/admissions/?org=BK-SV1"
    assert secretary_links["chuyển sinh hoạt đi chưa có giấy giới thiệu: cần bàn giao"] == (
        "/activity/transfers/?org=BK-SV1"
    )
    # The receiving side confirms.
    receiver = factories.user("bithu-q1", Role.CELL_SECRETARY, cell["school"])
    receiver_links = _links(_client(receiver).get("/").content.decode())
    assert receiver_links["đảng viên chuyển đến đang chờ tiếp nhận"] == (
        "/activity/transfers/?org=Q1-THPT"
    )


def test_committee_sees_units_lagging_first(cell: dict[str, Any]) -> None:
    b = factories.member(cell["cell_b"], full_name="Đỗ Thị Lan", code="DV-B0")
    MemberWarning.objects.create(
        member=b, org=cell["cell_b"], level=WarningLevel.WARNING, as_of=TODAY
    )
    staff = factories.user("captren", Role.SUPERIOR_STAFF, cell["khoi"])
    html = _client(staff).get("/").content.decode()
    # KDHCD has one unit (BK); the city's view would list KDHCD and Q1.
    assert "Đảng ủy Trường Đại học Bách khoa" in html
    city_staff = factories.user("btc", Role.SUPERIOR_STAFF, cell["city"])
    city_html = _client(city_staff).get("/").content.decode()
    units = re.findall(r'<a class="unit-name" href="/activity/\?org=([^"]+)"', city_html)
    assert units[:2] == ["KDHCD", "Q1"]  # KDHCD lags (a warning); Q1 has nothing overdue


def test_units_order_by_overdue_items(tree: dict[str, Any]) -> None:
    a = factories.member(tree["cell_a"], code="DV-A0")
    s0 = _mentor(tree["school"], "DV-S0")
    MemberWarning.objects.create(member=a, org=a.org, level=WarningLevel.WARNING, as_of=TODAY)
    result = work.compute(tree["city"], TODAY)
    assert [u.org.code for u in result.units] == ["KDHCD", "Q1"]
    assert result.units[0].n["warnings"] == 1
    assert result.total.cells == 2
    # Q1 gets two overdue admission steps: it now lags more.
    c1 = factories.candidate(tree["school"], s0)
    c2 = factories.candidate(tree["school"], s0, full_name="Lý Thị Mơ")
    Candidate.objects.filter(pk__in=[c1.pk, c2.pk]).update(next_due=TODAY - dt.timedelta(days=1))
    result = work.compute(tree["city"], TODAY)
    assert [u.org.code for u in result.units] == ["Q1", "KDHCD"]


def test_committee_home_queries_do_not_grow_with_units(tree: dict[str, Any]) -> None:
    staff = factories.user("btc", Role.SUPERIOR_STAFF, tree["city"])
    factories.member(tree["cell_a"])
    client = _client(staff)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    from chibo.orgs.models import OrgKind

    for i in range(6):
        unit = factories.org(f"U{i}", f"Đảng ủy đơn vị {i}", OrgKind.DIRECT_COMMITTEE, tree["city"])
        c = factories.org(f"U{i}-C", f"Chi bộ {i}", OrgKind.GRASSROOTS_CELL, unit)
        factories.member(c)
    with CaptureQueriesContext(connection) as big:
        client.get("/")
    assert len(big) == len(small), [q["sql"][:80] for q in big]


def test_city_office_sees_warnings_and_overdue_admissions(tree: dict[str, Any]) -> None:
    office = factories.user("vanphong", Role.CITY_OFFICE, tree["city"])
    a = factories.member(tree["cell_a"])
    MemberWarning.objects.create(
        member=a, org=tree["cell_a"], level=WarningLevel.REMOVAL_REVIEW, as_of=TODAY
    )
    late = factories.candidate(tree["school"], _mentor(tree["school"], "DV-S0"))
    Candidate.objects.filter(pk=late.pk).update(next_due=TODAY - dt.timedelta(days=1))
    html = _client(office).get("/").content.decode()
    assert "Báo cáo tổng hợp 6 tháng" in html
    links = _links(html)
    assert links["đảng viên đến ngưỡng xem xét xóa tên trong thành phố"] == (
        "/activity/warnings/?org=TU&amp;level=removal_review"
    )
    assert links["bước kết nạp quá hạn trong thành phố"] == "/admissions/?org=TU&amp;overdue=1"


def test_compilation_state_counts_reported_late_and_missing(tree: dict[str, Any]) -> None:
    from chibo.directives import services as directive_services
    from chibo.directives.models import Assignment, Recurrence
    from chibo.home import offices

    doc = directive_services.document_register_incoming(
        actor=None,
        org=tree["city"],
        symbol="1000-CV/TU",
        issuing_org=tree["city"],
        title="Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học",
        issuing_body="Ban Thường vụ Thành ủy",
        issued_on=dt.date(2023, 6, 16),
        incoming_number="398",
        recipients=[],
    )
    task = directive_services.task_create(
        actor=None,
        document=doc,
        section="1",
        title="Lãnh đạo công tác xây dựng Đảng trong trường học",
        recurrence=Recurrence.SEMIANNUAL,
        report_due_days=10,
        orgs=[tree["khoi"], tree["district"]],
        named_units=["Ban Thường vụ Thành Đoàn"],
    )
    khoi = Assignment.objects.get(task=task, org=tree["khoi"])
    report = directive_services.report_save(
        actor=None, assignment=khoi, period="2024-H1", text="Đã triển khai."
    )
    directive_services.report_submit(
        actor=None, report=report, now=timezone.make_aware(dt.datetime(2024, 7, 15, 9))
    )
    (c,) = offices.compilations(tree["city"], dt.date(2024, 7, 20))
    assert (c.period.key, c.due) == ("2024-H1", dt.date(2024, 7, 10))
    assert (c.units, c.reported, c.late, c.missing) == (2, 0, 1, 1)
    assert c.overdue and c.compiled is None


def test_sysadmin_sees_accounts_audit_and_backups(
    tree: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.CHIBO_BACKUP_DIR = tmp_path
    admin = factories.user("quantri", Role.SYSADMIN, tree["city"])
    factories.user("norole")
    html = _client(admin).get("/").content.decode()
    assert "Nhật ký kiểm toán chưa từng được kiểm tra" in html
    assert "Không tìm thấy bản sao lưu" in html
    assert re.search(
        r'<span class="todo-count">1</span><span class="todo-label">tài khoản đang hoạt động chưa có vai trò',
        html,
    )
    from chibo.core.tasks import audit_verify_and_alert

    audit_verify_and_alert()
    (tmp_path / "chibo-20261201-020000.sqlite3.gz.manifest.json").write_text(
        json.dumps(
            {
                "file": "chibo-20261201-020000.sqlite3.gz",
                "size": 2048,
                "created_at": timezone.now().isoformat(),
            }
        )
    )
    html = _client(admin).get("/").content.decode()
    assert "còn nguyên vẹn" in html and "điểm kiểm tra có chữ ký" in html
    assert "chibo-20261201-020000.sqlite3.gz" in html


def test_no_role_gets_a_clear_message(db: Any) -> None:
    user = factories.user("moi")
    html = _client(user).get("/").content.decode()
    assert "Tài khoản của bạn chưa được phân công vai trò" in html


def test_a_big_subtree_is_computed_once_and_shared(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr("chibo.home.work.figures.BIG_SUBTREE", 1)  # what compute_cached reads
    factories.member(tree["cell_a"])
    first = factories.user("btc1", Role.SUPERIOR_STAFF, tree["city"])
    second = factories.user("btc2", Role.SUPERIOR_STAFF, tree["city"])
    html = _client(first).get("/").content.decode()
    assert "tính lúc" in html
    client = _client(second)
    client.get("/notifications/")  # session and roles warmed
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not any("activity_meeting" in q["sql"] for q in queries)
    # A cell is always live.
    assert work.compute_cached(tree["cell_a"], TODAY).cached is False
