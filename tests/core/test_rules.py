from __future__ import annotations

import datetime as dt

import pytest

from chibo.core.models import RuleVersion
from chibo.core.rules import RuleMissing, RuleViolation, rule_in_force

pytestmark = pytest.mark.django_db


def test_probation_rule_source_changes_on_1_july_2025() -> None:
    before = rule_in_force("probation.months", on=dt.date(2025, 6, 30))
    after = rule_in_force("probation.months", on=dt.date(2025, 7, 1))
    assert before.value == after.value == 12
    assert "QĐ 232-QĐ/TW" in before.source  # 20/1/2025 to 30/6/2025 (issue 20)
    assert "QĐ 294-QĐ/TW" in after.source
    assert "QĐ 24-QĐ/TW" in rule_in_force("probation.months", on=dt.date(2025, 1, 19)).source


def test_unknown_rule_is_a_loud_configuration_error() -> None:
    with pytest.raises(RuleMissing):
        rule_in_force("no.such.rule", on=dt.date(2025, 1, 1))


def test_a_new_version_takes_effect_from_its_date() -> None:
    current = RuleVersion.objects.get(key="probation.months", valid_to__isnull=True)
    current.valid_to = dt.date(2027, 1, 1)
    current.save()
    RuleVersion.objects.create(
        key="probation.months",
        title="test",
        value=18,
        source="QĐ 999-QĐ/TW",
        clause="§1",
        valid_from=dt.date(2027, 1, 1),
        confidence="L",
    )
    assert rule_in_force("probation.months", on=dt.date(2026, 12, 31)).value == 12
    assert rule_in_force("probation.months", on=dt.date(2027, 1, 1)).value == 18


def test_violation_quotes_the_rule_and_its_source() -> None:
    rule = rule_in_force("probation.months", on=dt.date(2025, 8, 1))
    err = RuleViolation(rule, "Chưa hết thời kỳ dự bị", field="decided_on")
    text = " ".join(err.message_dict["decided_on"])
    assert "QĐ 294-QĐ/TW" in text and "Chưa hết thời kỳ dự bị" in text
