"""Breakdown shares say what they divide by, and the whole organization's share is given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from chibo.members.models import Category
from chibo.reports import figures, tables
from tests.reports import data

DAY = dt.date(2024, 5, 1)


@pytest.fixture
def admitted(tree):
    # The university: 1 student of 7 admissions; the district's school: 3 pupils of 3.
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [DAY])
    data.admissions(tree["cell_b"], 6, Category.OTHER, [DAY])
    data.admissions(tree["school"], 3, Category.PUPIL, [DAY])
    return figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.django_db
def test_unit_rows_give_the_units_own_share_and_the_share_of_the_whole(admitted) -> None:
    rows = {r["org"]: r for r in admitted.breakdown()["by_unit"]}
    khoi = rows["KDHCD"]
    assert khoi["school_students_and_pupils_share_pct"] == Decimal("14.29")  # 1 of the unit's 7
    assert khoi["share_of_total_pct"] == Decimal("10.00")  # 1 of the city's 10
    assert rows["Q1"]["share_of_total_pct"] == Decimal("30.00")


@pytest.mark.django_db
def test_breakdown_tables_label_each_share_by_its_denominator(admitted) -> None:
    with translation.override("vi"):
        doc = tables.admissions_doc(admitted)
    by_title = {t.title: t for t in doc.tables}
    unit = by_title["Theo đơn vị"]
    heads = [h for h, _k in unit.columns]
    assert "Tỷ lệ so với số kết nạp của đơn vị" in heads
    assert "Tỷ lệ so với tổng số kết nạp toàn đảng bộ" in heads
    assert "Tỷ lệ so với tổng số kết nạp" not in heads
    level_heads = [h for h, _k in by_title["Theo cấp học"].columns]
    assert "Tỷ lệ so với số kết nạp của cấp học" in level_heads
    assert "Tỷ lệ so với tổng số kết nạp toàn đảng bộ" in level_heads
    khoi = next(r for r in unit.rows if r[0] == "KDHCD")
    assert khoi[-2:] == [Decimal("14.29"), Decimal("10.00")]
