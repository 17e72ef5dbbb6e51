"""Plausibility (issue 17): nonsense values get a message, never a row; unusual ones ask first.

Dues against the rule in force for the member and month (QĐ 01-QĐ/TW), meetings that have
not happened, thematic meetings without a topic, a second regular meeting in a month —
in the services, the pages (as a secretary sees them) and the API.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from chibo.activity import dues, services
from chibo.activity.models import DuesBasis, DuesPayment, Meeting
from chibo.core.plausibility import NeedsConfirmation
from chibo.core.rules import RuleViolation
from chibo.interchange.services import import_file
from chibo.members.models import Category, Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import hold
from tests.api.conftest import api_for
from tests.interchange.helpers import write_xlsx

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def student(tree: dict[str, Org]) -> Member:
    return factories.member(
        tree["cell_a"], full_name="Trần Thị Bình", admitted_on=dt.date(2024, 3, 1)
    )


@pytest.fixture
def secretary(tree: dict[str, Org]) -> Client:
    client = Client()
    client.force_login(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    return client


def _pay(member: Member, amount: int, months: list[dt.date] | None = None, **kw: object) -> list:
    return dues.dues_pay(
        actor=None,
        member=member,
        months=months or [MARCH],
        amount_vnd=amount,
        paid_on=dt.date(2026, 3, 10),
        **kw,
    )


# --- dues -----------------------------------------------------------------------------------------


def test_an_absurd_amount_is_refused_with_the_rule(student: Member) -> None:
    with translation.override("vi"), pytest.raises(RuleViolation) as exc:
        _pay(student, 99_999_999_999, confirm=True)
    message = exc.value.message_dict["amount_vnd"][0]
    assert message.startswith("99.999.999.999 đ cho một tháng không thể là đảng phí")
    assert not DuesPayment.objects.exists()


def test_the_flat_student_rate_is_exact_and_anything_else_asks_first(student: Member) -> None:
    assert _pay(student, 5000)  # QĐ 01-QĐ/TW: 5,000 đ from 3/2/2026
    with translation.override("vi"), pytest.raises(NeedsConfirmation) as exc:
        _pay(student, 50_000, [dt.date(2026, 4, 1)])
    assert exc.value.message_dict["confirm"] == [
        "Theo quy định, mức đảng phí tháng 04/2026 là 5.000 đ (học sinh, sinh viên, "
        "QĐ 01-QĐ/TW (3/2/2026)); số tiền đã nhập là 50.000 đ mỗi tháng."
    ]
    assert _pay(student, 50_000, [dt.date(2026, 4, 1)], confirm=True)  # a voluntary higher payment
    with pytest.raises(NeedsConfirmation):  # QĐ 342-QĐ/TW: 2,000 đ until 2/2/2026
        _pay(student, 5000, [dt.date(2026, 1, 1)])


def test_a_total_typed_as_the_monthly_amount_gets_a_hint(student: Member) -> None:
    months = [dt.date(2026, m, 1) for m in (3, 4, 5)]
    with translation.override("vi"), pytest.raises(NeedsConfirmation) as exc:
        _pay(student, 15_000, months)
    assert (
        "Nếu 15.000 đ là tổng của 3 tháng, hãy nhập số tiền của một tháng."
        in (exc.value.message_dict["confirm"][0])
    )


def test_salaried_members_within_the_plausible_range_or_their_recorded_salary(
    tree: dict[str, Org],
) -> None:
    lecturer = factories.member(
        tree["cell_b"], category=Category.LECTURER, date_of_birth=dt.date(1980, 1, 2)
    )
    assert _pay(lecturer, 80_000)  # 1% of an insured salary chibo does not know
    with pytest.raises(NeedsConfirmation):
        _pay(lecturer, 900_000, [dt.date(2026, 4, 1)])
    with pytest.raises(NeedsConfirmation):
        _pay(lecturer, 3_000, [dt.date(2026, 4, 1)])
    dues.dues_base_set(
        actor=None, member=lecturer, valid_from=MARCH, basis=DuesBasis.SALARIED, base_vnd=12_345_000
    )
    assert _pay(lecturer, 123_000, [dt.date(2026, 4, 1)])  # 123,450 rounded: within tolerance
    with pytest.raises(NeedsConfirmation):
        _pay(lecturer, 80_000, [dt.date(2026, 5, 1)])  # not 1% of the recorded salary


def test_an_exempted_month_asks_before_a_payment(student: Member) -> None:
    dues.dues_relief_grant(
        actor=None, member=student, start=MARCH, end=MARCH, percent=100, reason="hộ nghèo"
    )
    with pytest.raises(NeedsConfirmation):
        _pay(student, 5000)
    dues.dues_relief_grant(
        actor=None,
        member=student,
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 1),
        percent=50,
        reason="ốm dài ngày",
    )
    assert _pay(student, 2500, [dt.date(2026, 4, 1)])


def test_advance_payment_up_to_twelve_months(student: Member) -> None:
    paid_on = dt.date(2026, 3, 10)
    ahead = [dt.date(2026, 4, 1), dt.date(2027, 3, 1)]  # the 12th month after March
    assert dues.dues_pay(actor=None, member=student, months=ahead, amount_vnd=5000, paid_on=paid_on)
    with translation.override("vi"), pytest.raises(RuleViolation) as exc:
        dues.dues_pay(
            actor=None,
            member=student,
            months=[dt.date(2027, 4, 1)],
            amount_vnd=5000,
            paid_on=paid_on,
        )
    assert "trước tối đa 12 tháng" in exc.value.message_dict["periods"][0]


def test_dues_page_asks_to_confirm_and_says_our_own_sentence(
    student: Member, secretary: Client
) -> None:
    form = {
        "org": "BK-SV1",
        "member": student.member_code,
        "first": "04/2026",
        "amount_vnd": "-5000",
        "paid_on": "10/04/2026",
        "method": "cash",
    }
    page = secretary.post("/activity/dues/?org=BK-SV1", form).content.decode()
    assert "Số tiền phải lớn hơn 0 đ." in page and "Đảm bảo giá trị" not in page
    page = secretary.post("/activity/dues/?org=BK-SV1", {**form, "amount_vnd": "99999999999"})
    assert "không thể là đảng phí" in page.content.decode()
    asked = secretary.post("/activity/dues/?org=BK-SV1", {**form, "amount_vnd": "50.000"})
    html = asked.content.decode()
    assert "mức đảng phí tháng 04/2026 là 5.000 đ" in html
    assert 'type="checkbox" name="confirm"' in html  # the confirmation step
    assert not DuesPayment.objects.exists()
    done = secretary.post(
        "/activity/dues/?org=BK-SV1", {**form, "amount_vnd": "50.000", "confirm": "on"}
    )
    assert done.status_code == 302
    assert DuesPayment.objects.get().amount_vnd == 50_000


def test_dues_api_answers_confirmation_required(tree: dict[str, Org], student: Member) -> None:
    api = api_for(factories.user("bithu", "cell_secretary", tree["cell_a"]), lang="vi")
    body = {
        "member_code": student.member_code,
        "months": ["2026-04"],
        "amount_vnd": 50000,
        "paid_on": "2026-04-10",
    }
    asked = api.post("/activity/dues/payments", body)
    assert asked.status_code == 422
    assert asked.json()["error"]["code"] == "confirmation_required"
    assert "5.000 đ" in asked.json()["error"]["fields"]["confirm"][0]
    assert api.post("/activity/dues/payments", {**body, "confirm": True}).status_code == 201
    negative = api.post(
        "/activity/dues/payments", {**body, "months": ["2026-05"], "amount_vnd": -1}
    )
    assert negative.status_code == 422
    assert negative.json()["error"]["fields"]["amount_vnd"] == ["Số tiền phải lớn hơn 0 đ."]
    absurd = api.post(
        "/activity/dues/payments", {**body, "months": ["2026-05"], "amount_vnd": 99_999_999_999}
    )
    assert absurd.status_code == 422 and absurd.json()["error"]["code"] == "rule_violation"


def test_dues_import_refuses_the_absurd_and_warns_about_the_unusual(
    student: Member, tmp_path: object
) -> None:
    header = ["ma_dang_vien", "thang", "so_tien", "ngay_nop"]
    code = student.member_code
    bad = write_xlsx(
        tmp_path / "bad.xlsx", header, [[code, "04/2026", "99999999999", "10/04/2026"]], "dang_phi"
    )
    result = import_file(actor=None, kind="dues", path=bad)
    assert not result.ok and "không thể là đảng phí" in result.problems[0].message
    odd = write_xlsx(
        tmp_path / "odd.xlsx",
        header,
        [[code, "04/2026", "5000", "10/04/2026"], [code, "05/2026", "50000", "10/05/2026"]],
        "dang_phi",
    )
    checked = import_file(actor=None, kind="dues", path=odd, dry_run=True)
    assert checked.ok
    assert [(p.row, p.fatal) for p in checked.problems] == [(3, False)]  # a warning, row 3
    assert "5.000 đ" in checked.problems[0].message
    assert import_file(actor=None, kind="dues", path=odd).created == 2


# --- meetings -----------------------------------------------------------------------------------


def test_a_meeting_in_the_future_is_refused_everywhere(
    tree: dict[str, Org], student: Member, secretary: Client
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.meeting_create(actor=None, org=tree["cell_a"], kind="regular", held_on=tomorrow)
    page = secretary.post(
        "/activity/meetings/new/?org=BK-SV1",
        {"kind": "regular", "held_on": tomorrow.strftime("%d/%m/%Y")},
    ).content.decode()
    assert f"Cuộc họp ngày {tomorrow:%d/%m/%Y} chưa diễn ra" in page
    api = api_for(factories.user("api", "cell_secretary", tree["cell_a"]))
    refused = api.post("/activity/meetings", {"org": "BK-SV1", "held_on": tomorrow.isoformat()})
    assert refused.status_code == 422 and "held_on" in refused.json()["error"]["fields"]
    assert not Meeting.objects.exists()


def test_a_thematic_meeting_needs_a_topic(tree: dict[str, Org], secretary: Client) -> None:
    day = dt.date.today() - dt.timedelta(days=3)
    page = secretary.post(
        "/activity/meetings/new/?org=BK-SV1",
        {"kind": "thematic", "held_on": day.strftime("%d/%m/%Y")},
    )
    assert "Sinh hoạt chuyên đề phải có chủ đề." in page.content.decode()
    api = api_for(factories.user("api", "cell_secretary", tree["cell_a"]))
    body = {"org": "BK-SV1", "kind": "thematic", "held_on": day.isoformat()}
    assert "topic" in api.post("/activity/meetings", body).json()["error"]["fields"]
    assert (
        api.post("/activity/meetings", {**body, "topic": "Học tập Nghị quyết"}).status_code == 201
    )


def test_a_second_regular_meeting_in_a_month_needs_a_confirmation(
    tree: dict[str, Org], student: Member, secretary: Client
) -> None:
    first = hold(tree["cell_a"], dt.date(2026, 9, 3))
    form = {"kind": "regular", "held_on": "24/09/2026", "place": "Hội trường"}
    asked = secretary.post("/activity/meetings/new/?org=BK-SV1", form).content.decode()
    assert "đã sinh hoạt thường kỳ tháng này, ngày 03/09/2026" in asked
    assert 'type="checkbox" name="confirm"' in asked
    assert Meeting.objects.count() == 1
    done = secretary.post("/activity/meetings/new/?org=BK-SV1", {**form, "confirm": "on"})
    assert done.status_code == 302 and Meeting.objects.count() == 2
    second = Meeting.objects.exclude(pk=first.pk).get()
    # Editing its minutes later does not ask again.
    services.meeting_update(actor=None, meeting=second, minutes="Biên bản")
    api = api_for(factories.user("api", "cell_secretary", tree["cell_a"]))
    body = {"org": "BK-SV1", "kind": "regular", "held_on": "2026-09-28"}
    asked_api = api.post("/activity/meetings", body)
    assert asked_api.json()["error"]["code"] == "confirmation_required"
    assert api.post("/activity/meetings", {**body, "confirm": True}).status_code == 201
    # A thematic meeting the same month is not a second regular one.
    services.meeting_create(
        actor=None,
        org=tree["cell_a"],
        kind="thematic",
        held_on=dt.date(2026, 9, 15),
        topic="Chủ đề",
    )
