"""``report activity`` end to end with the activity app's ``activity_health``: JSON, page, XLSX, DOCX.

The second path is ``activity_health`` itself (checked against hand-written
SQL in tests/activity/test_health.py); here the report must show the same
figures, in Vietnamese number formats.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import docx
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from chibo.activity import selectors as activity_selectors
from chibo.activity.models import MeetingKind
from chibo.core.roles import Role
from chibo.reports import exports, tables
from tests import factories

if not hasattr(activity_selectors, "activity_health"):  # pragma: no cover
    pytest.skip("chibo.activity.selectors.activity_health not there yet", allow_module_level=True)

from tests.activity.conftest import AS_OF, hold, pay

pytestmark = pytest.mark.django_db
PCT_KEYS = ("monthly_meetings_held_pct", "thematic_meetings_held_pct", "attendance_rate_pct")


@pytest.fixture
def city(tree):
    a1, a2, a3 = (
        factories.member(
            tree["cell_a"], full_name=f"Sinh viên {i}", admitted_on=dt.date(2024, 3, 1)
        )
        for i in range(3)
    )
    hold(tree["cell_a"], dt.date(2026, 7, 3), {a1: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 8, 5), {a2: "excused"})
    hold(tree["cell_a"], dt.date(2026, 8, 20), {a3: "unexcused"}, kind=MeetingKind.THEMATIC)
    hold(tree["cell_a"], dt.date(2026, 9, 4))
    pay(a1, dt.date(2026, 1, 1), dt.date(2026, 6, 1), paid_on=dt.date(2026, 1, 10))
    pay(a2, dt.date(2026, 1, 1), dt.date(2026, 9, 1), paid_on=dt.date(2026, 2, 1))
    return tree


def _pct(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_activity_report_shows_the_health_figures_everywhere(city, client, tmp_path) -> None:
    health = activity_selectors.activity_health(None, city["city"], AS_OF)
    assert all(health[k] is not None for k in PCT_KEYS) and health["dues_collected"] > 1000
    pcts = {k: _pct(health[k]) for k in PCT_KEYS}
    dues = int(health["dues_collected"])

    out = tmp_path / "a.json"
    call_command(
        "report", "activity", "--as-of", AS_OF.isoformat(), "--format", "json", "--output", out
    )
    got = json.loads(out.read_text())
    for key in PCT_KEYS:
        assert got[key] == float(pcts[key]), key
    assert got["dues_collected"] == dues and isinstance(got["dues_collected"], int)
    assert got["period_start"] == health["period_start"].isoformat()
    assert got["dues_to"] == AS_OF.isoformat()
    # The command counts as the system: every cell, as the city office sees them.
    assert isinstance(got["cells_missing_meetings"], int)

    office = factories.user("vanphong", Role.CITY_OFFICE, city["city"])
    client.force_login(office)
    api = client.get("/api/v1/reports/activity", {"as_of": AS_OF.isoformat()}).json()
    assert {k: api[k] for k in (*PCT_KEYS, "dues_collected")} == {
        k: got[k] for k in (*PCT_KEYS, "dues_collected")
    }
    assert api["cells_missing_meetings"] == got["cells_missing_meetings"]

    html = client.get("/reports/activity/", {"as_of": AS_OF.isoformat()}).content.decode()
    texts = [exports.vn_pct(pcts[k]) for k in PCT_KEYS] + [exports.vn_money(dues)]
    for text in texts:
        assert text in html, text
    assert "chưa có dữ liệu" not in html.split("Đảng phí")[1].split("</tr>")[0]

    keys = [key for key, _label, _kind in tables.ACTIVITY_ROWS]
    q = {"as_of": AS_OF.isoformat()}
    ws = load_workbook(io.BytesIO(client.get("/reports/activity/export/xlsx/", q).content))
    cells = dict(
        zip(
            keys,
            [ws.worksheets[0].cell(row=r, column=2) for r in range(4, 4 + len(keys))],
            strict=True,
        )
    )
    for key in PCT_KEYS:
        assert cells[key].value == pytest.approx(float(pcts[key]) / 100)
        assert cells[key].number_format == "0.00%"
    assert cells["dues_collected"].value == dues

    document = docx.Document(io.BytesIO(client.get("/reports/activity/export/docx/", q).content))
    rows = dict(zip(keys, [r.cells[1].text for r in document.tables[1].rows[1:]], strict=True))
    for key in PCT_KEYS:
        assert rows[key] == exports.vn_pct(pcts[key])
    assert rows["dues_collected"] == exports.vn_money(dues)
