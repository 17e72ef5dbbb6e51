"""The import's age-against-category check (core.plausibility) gives the same problems as
``core.plausibility.age_problem`` row by row, while reading the rule once per (category, date)
and building no message for a row within its bounds (issue 22: no per-row work the floor
does not need)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chibo.core.plausibility import age_problem
from chibo.interchange.members_import import Context
from chibo.interchange.services import import_file
from chibo.members.models import Category
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv

pytestmark = pytest.mark.django_db


def test_the_context_says_what_plausibility_says(tree) -> None:
    ctx = Context(None)
    on = dt.date(2022, 3, 1)
    for category in [*Category.values, "", "nonsense"]:
        label = str(Category(category).label).lower() if category in Category.values else ""
        for year in range(1900, 2023, 3):
            dob = dt.date(year, 5, 17)
            expected = age_problem(dob, category, label, on)
            found = ctx.age_problem(dob, category, on)
            assert (found is None) == (expected is None), (category, dob)
            if expected is not None:
                assert found.message == expected.message and found.too_young == expected.too_young
    assert ctx.age_problem(dt.date(2023, 1, 1), "student", on) is None  # born after: elsewhere


def test_an_import_reports_ages_out_of_bounds_only(tree, tmp_path) -> None:
    rows = [
        member_row("DV1"),  # a student of 20: nothing to say
        member_row("DV2", ngay_sinh="17/05/2012"),  # a student of 9: refused
        member_row("DV3", ngay_sinh="17/05/1950"),  # a student of 71: confirmed
    ]
    path = write_csv(tmp_path / "members.csv", MEMBER_HEADER, rows)
    result = import_file(actor=None, kind="members", path=path, dry_run=True)
    by_row = {p.row: p for p in result.problems if p.column == "ngay_sinh"}
    assert set(by_row) == {3, 4}
    assert by_row[3].fatal and not by_row[4].fatal
    student = str(Category.STUDENT.label).lower()
    on = dt.date(2022, 3, 1)
    assert by_row[3].message == age_problem(dt.date(2012, 5, 17), "student", student, on).message
    assert by_row[4].message == age_problem(dt.date(1950, 5, 17), "student", student, on).message
    assert timezone.localdate() >= on
