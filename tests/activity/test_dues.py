"""Dues: amounts by the rules in force, reliefs, payments (advance, late), bulk import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.activity import dues
from chibo.activity.models import DuesBasis, DuesPayment
from chibo.core.rules import RuleViolation
from chibo.members.models import Category
from chibo.orgs.models import Org
from tests import factories

pytestmark = pytest.mark.django_db


def test_student_dues_change_on_3_february_2026(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    assert dues.amount_due(m, dt.date(2026, 1, 1)) == 2000  # QĐ 342-QĐ/TW
    assert dues.amount_due(m, dt.date(2026, 3, 1)) == 5000  # QĐ 01-QĐ/TW


def test_salaried_and_pensioner_shares(tree: dict[str, Org]) -> None:
    lecturer = factories.member(
        tree["cell_b"],
        category=Category.LECTURER,
        admitted_on=dt.date(2020, 1, 1),
        date_of_birth=dt.date(1985, 4, 2),
    )
    assert dues.amount_due(lecturer, dt.date(2026, 5, 1)) is None  # salary not known yet
    dues.dues_base_set(
        actor=None,
        member=lecturer,
        valid_from=dt.date(2026, 1, 1),
        basis=DuesBasis.SALARIED,
        base_vnd=12_000_000,
    )
    assert dues.amount_due(lecturer, dt.date(2026, 5, 1)) == 120_000
    dues.dues_base_set(
        actor=None,
        member=lecturer,
        valid_from=dt.date(2026, 6, 1),
        basis=DuesBasis.PENSIONER,
        base_vnd=8_000_000,
    )
    assert dues.amount_due(lecturer, dt.date(2026, 6, 1)) == 40_000


def test_reductions_and_their_limits(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    dues.dues_relief_grant(
        actor=None,
        member=m,
        start=dt.date(2026, 3, 1),
        end=dt.date(2027, 2, 1),
        percent=50,
        reason="hộ cận nghèo",
    )
    assert dues.amount_due(m, dt.date(2026, 4, 1)) == 2500
    with pytest.raises(RuleViolation):
        dues.dues_relief_grant(
            actor=None,
            member=m,
            start=dt.date(2026, 3, 1),
            end=dt.date(2026, 4, 1),
            percent=40,
            reason="x",
        )
    with pytest.raises(RuleViolation):  # 13 months
        dues.dues_relief_grant(
            actor=None,
            member=m,
            start=dt.date(2026, 3, 1),
            end=dt.date(2027, 3, 1),
            percent=30,
            reason="x",
        )


def test_payment_rules(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    dues.dues_pay(
        actor=None,
        member=m,
        months=[dt.date(2024, 3, 1)],
        amount_vnd=2000,
        paid_on=dt.date(2024, 9, 1),
    )
    with pytest.raises(ValidationError):  # already paid
        dues.dues_pay(
            actor=None,
            member=m,
            months=[dt.date(2024, 3, 1)],
            amount_vnd=2000,
            paid_on=dt.date(2024, 9, 1),
        )
    with pytest.raises(ValidationError):  # before admission
        dues.dues_pay(
            actor=None,
            member=m,
            months=[dt.date(2024, 2, 1)],
            amount_vnd=2000,
            paid_on=dt.date(2024, 9, 1),
        )
    with pytest.raises(ValidationError):  # more than 12 months ahead
        dues.dues_pay(
            actor=None,
            member=m,
            months=[dt.date(2025, 10, 1)],
            amount_vnd=2000,
            paid_on=dt.date(2024, 9, 1),
        )
    with pytest.raises(ValidationError):  # online needs its reference
        dues.dues_pay(
            actor=None,
            member=m,
            months=[dt.date(2024, 4, 1)],
            amount_vnd=2000,
            paid_on=dt.date(2024, 9, 1),
            method="online",
        )
    dues.dues_pay(
        actor=None,
        member=m,
        months=[dt.date(2024, 4, 1), dt.date(2024, 5, 1)],
        amount_vnd=2000,
        paid_on=dt.date(2024, 9, 1),
    )
    assert dues.paid_through(m) == dt.date(2024, 5, 1)


def test_secretary_of_another_cell_cannot_record(tree: dict[str, Org]) -> None:
    from django.core.exceptions import PermissionDenied

    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    other = factories.user("other", "cell_secretary", tree["cell_b"])
    with pytest.raises(PermissionDenied):
        dues.dues_pay(
            actor=other,
            member=m,
            months=[dt.date(2024, 3, 1)],
            amount_vnd=2000,
            paid_on=dt.date(2024, 9, 1),
        )


def test_bulk_record_is_validated_and_idempotent(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    rows = [
        dues.DuesRecord(m.member_code, dt.date(2025, month, 1), 2000, dt.date(2025, month, 10))
        for month in range(1, 7)
    ]
    assert dues.dues_bulk_record(actor=None, records=rows) == {
        "created": 6,
        "skipped": 0,
        "unusual": {},
    }
    assert dues.dues_bulk_record(actor=None, records=rows) == {
        "created": 0,
        "skipped": 6,
        "unusual": {},
    }
    bad = [
        *rows[:1],
        dues.DuesRecord("NOPE", dt.date(2025, 1, 1), 2000, dt.date(2025, 1, 2)),
        dues.DuesRecord(m.member_code, dt.date(2025, 1, 1), 9999, dt.date(2025, 1, 10)),
    ]
    with pytest.raises(ValidationError) as err:
        dues.dues_bulk_record(actor=None, records=bad)
    assert set(err.value.message_dict) == {"row 2", "row 3"}
    assert DuesPayment.objects.filter(member=m).count() == 6
    assert (
        dues.dues_bulk_record(
            actor=None,
            records=[
                *rows[:1],
                dues.DuesRecord(m.member_code, dt.date(2025, 7, 1), 2000, dt.date(2025, 7, 1)),
            ],
            dry_run=True,
        )["created"]
        == 1
    )
    assert DuesPayment.objects.filter(member=m).count() == 6
