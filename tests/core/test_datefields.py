"""Impossible dates: "31/02/2024" says the day does not exist — in forms, the API and imports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from chibo.core.datefields import DayField, MonthField, no_such_date_message
from chibo.interchange.services import import_file
from chibo.lib.dates import BadDate, NoSuchDate, parse_day, parse_month
from tests import factories
from tests.api.conftest import api_for
from tests.interchange.helpers import write_xlsx

NO_FEB_31 = "Ngày 31/02/2024 không tồn tại: tháng 02/2024 chỉ có 29 ngày."


def test_the_reader_tells_a_day_that_does_not_exist_from_a_bad_format() -> None:
    assert parse_day("29/02/2024") == dt.date(2024, 2, 29)
    assert parse_day("5/3/2026") == parse_day("2026-03-05") == dt.date(2026, 3, 5)
    for text in (
        "31/02/2024",
        "2024-02-31",
        "29/02/2025",
        "31/04/2026",
        "10/13/2026",
        "00/01/2026",
    ):
        with pytest.raises(NoSuchDate):
            parse_day(text)
    for text in ("31-2", "abc", "2024/02/31", ""):
        with pytest.raises(BadDate) as exc:
            parse_day(text)
        assert not isinstance(exc.value, NoSuchDate)
    assert parse_month("09/2026") == parse_month("2026-09") == dt.date(2026, 9, 1)
    with pytest.raises(NoSuchDate):
        parse_month("13/2026")


def test_messages_say_what_is_wrong() -> None:
    with translation.override("vi"):
        assert no_such_date_message(_err("31/02/2024")) == NO_FEB_31
        assert "29/02/2025" in no_such_date_message(_err("29/02/2025"))
        assert "28 ngày" in no_such_date_message(_err("29/02/2025"))
        assert no_such_date_message(_err("10/13/2026")) == (
            "Ngày 10/13/2026 không tồn tại: một năm chỉ có 12 tháng."
        )
        with pytest.raises(NoSuchDate) as exc:
            parse_month("13/2026")
        assert no_such_date_message(exc.value) == (
            "Tháng 13/2026 không tồn tại: một năm chỉ có 12 tháng."
        )


def _err(text: str) -> NoSuchDate:
    with pytest.raises(NoSuchDate) as exc:
        parse_day(text)
    return exc.value


def test_form_fields() -> None:
    with translation.override("vi"):
        field = DayField()
        assert field.clean("01/07/2025") == dt.date(2025, 7, 1)
        with pytest.raises(Exception) as exc:
            field.clean("31/02/2024")
        assert exc.value.messages == [NO_FEB_31]
        with pytest.raises(Exception) as exc:
            field.clean("hôm qua")
        assert exc.value.messages == [
            "Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/07/2025."
        ]
        with pytest.raises(Exception) as exc:
            MonthField().clean("13/2026")
        assert "không tồn tại" in exc.value.messages[0]


@pytest.mark.django_db
def test_a_meeting_form_says_the_day_does_not_exist(client: Client) -> None:
    tree = factories.tree()
    client.force_login(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    page = client.post(
        "/activity/meetings/new/?org=BK-SV1", {"kind": "regular", "held_on": "31/02/2024"}
    ).content.decode()
    assert NO_FEB_31 in page


@pytest.mark.django_db
def test_the_api_says_the_day_does_not_exist() -> None:
    tree = factories.tree()
    api = api_for(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    response = api.post("/activity/meetings", {"org": "BK-SV1", "held_on": "2024-02-31"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["held_on"] == [NO_FEB_31]


@pytest.mark.django_db
def test_an_import_says_the_day_does_not_exist(tmp_path) -> None:
    tree = factories.tree()
    factories.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    rows = [["A1", "02/2024", "5000", "31/02/2024"], ["A1", "13/2024", "5000", "01/03/2024"]]
    path = write_xlsx(
        tmp_path / "d.xlsx", ["ma_dang_vien", "thang", "so_tien", "ngay_nop"], rows, "dang_phi"
    )
    result = import_file(actor=None, kind="dues", path=path)
    messages = {(p.row, p.column): p.message for p in result.problems}
    assert messages[(2, "ngay_nop")] == NO_FEB_31
    assert messages[(3, "thang")] == "Tháng 13/2024 không tồn tại: một năm chỉ có 12 tháng."
