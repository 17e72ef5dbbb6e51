"""Every admission rule at its boundary, and the rule version chosen by the event's date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.admissions import checks
from chibo.admissions.checks import Checker
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.lib.dates import add_months
from chibo.lib.workdays import add_working_days, working_days_between
from tests.admissions.conftest import full_member

pytestmark = pytest.mark.django_db
REVIEW = dt.date(2025, 2, 3)  # the cell's review (resolution) date


def refuses(fn, *args, **kwargs) -> str:
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    return " ".join(err.value.messages)


# --- age: 18 to 60 at the cell's review, in months ----------------------------------


def test_age_17_years_11_months_refused_exactly_18_accepted() -> None:
    message = refuses(checks.check_age, Checker(), dt.date(2007, 3, 3), REVIEW)  # 215 months
    assert "17" in message and "admission.age_min_months" not in message
    assert "QĐ 232-QĐ/TW" in message  # the source in force on 03/02/2025 (issue 20)
    checks.check_age(Checker(), dt.date(2007, 2, 3), REVIEW)  # 216 months: accepted


def test_age_over_60_refused_unless_overridden_for_the_provincial_committee() -> None:
    checks.check_age(Checker(), dt.date(1965, 2, 3), REVIEW)  # exactly 60 years: accepted
    message = refuses(checks.check_age, Checker(), dt.date(1965, 1, 3), REVIEW)  # 60 years 1 month
    assert "cấp tỉnh" in message or "provincial" in message
    chk = Checker({"admission.age_max_months"})
    checks.check_age(chk, dt.date(1965, 1, 3), REVIEW)
    assert chk.used == ["admission.age_max_months"]


# --- awareness-course certificate: valid 60 months -------------------------------------


def test_certificate_valid_60_months_from_its_issue_and_not_a_day_more() -> None:
    """HD 06 §5.4: valid 60 months from the date of issue; 60 months + 1 day is refused."""
    issued = dt.date(2021, 5, 31)
    checks.check_certificate(Checker(), issued, dt.date(2026, 5, 30))  # the day before
    checks.check_certificate(Checker(), issued, dt.date(2026, 5, 31))  # the last valid day
    message = refuses(checks.check_certificate, Checker(), issued, dt.date(2026, 6, 1))
    assert "31/05/2026" in message and "01/06/2026" in message
    # 60 months and 30 days was accepted before the fix (only 61 whole months was refused).
    refuses(checks.check_certificate, Checker(), dt.date(2020, 1, 4), REVIEW)
    checks.check_certificate(Checker(), dt.date(2020, 2, 3), REVIEW)  # exactly 60 months
    refuses(checks.check_certificate, Checker(), None, REVIEW)


def test_the_check_the_page_and_the_board_share_one_expiry() -> None:
    from chibo.core.validity import certificate_valid_on, certificate_valid_until

    issued = dt.date(2021, 5, 31)
    assert checks.certificate_expires(issued, REVIEW) == dt.date(2026, 5, 31)
    assert certificate_valid_until(issued, REVIEW) == dt.date(2026, 5, 31)
    assert certificate_valid_on(issued, dt.date(2026, 5, 31))
    assert not certificate_valid_on(issued, dt.date(2026, 6, 1))
    # End of February: 29/02/2020 + 60 months is 28/02/2025 (clamped), 01/03/2025 expired.
    assert certificate_valid_until(dt.date(2020, 2, 29), REVIEW) == dt.date(2025, 2, 28)
    refuses(checks.check_certificate, Checker(), dt.date(2020, 2, 29), dt.date(2025, 3, 1))


# --- the cell's vote: >= 2/3 of full members, absent exempted/away not counted -------------


def test_two_thirds_exactly_passes_just_under_fails() -> None:
    checks.check_vote(Checker(), REVIEW, full_members=9, absent_excluded=0, votes_for=6)
    refuses(checks.check_vote, Checker(), REVIEW, full_members=9, absent_excluded=0, votes_for=5)
    checks.check_vote(Checker(), REVIEW, full_members=3, absent_excluded=0, votes_for=2)
    refuses(
        checks.check_vote, Checker(), REVIEW, full_members=10, absent_excluded=0, votes_for=6
    )  # 6/10 < 2/3


def test_absent_exempted_or_temporarily_away_members_are_not_in_the_denominator() -> None:
    # 10 full members, one exempted and absent: 6 of 9 is exactly 2/3.
    checks.check_vote(Checker(), REVIEW, full_members=10, absent_excluded=1, votes_for=6)
    refuses(checks.check_vote, Checker(), REVIEW, full_members=10, absent_excluded=1, votes_for=5)


def test_vote_figures_that_cannot_be_are_refused() -> None:
    with pytest.raises(ValidationError):
        checks.check_vote(Checker(), REVIEW, full_members=5, absent_excluded=0, votes_for=6)


# --- introducers -----------------------------------------------------------------------


def test_introducer_12_months_together_accepted_11_refused(tree: dict) -> None:
    intro = full_member(tree["cell_a"], "DV-I1", "Lê Văn Giới")
    checks.check_introducers(Checker(), [(intro, 12)], REVIEW, youth_union=True)
    refuses(checks.check_introducers, Checker(), [(intro, 11)], REVIEW, youth_union=True)


def test_probationary_member_cannot_introduce(tree: dict) -> None:
    from tests import factories as f

    probationary = f.member(tree["cell_a"], code="DV-P1", admitted_on=dt.date(2024, 6, 1))
    message = refuses(
        checks.check_introducers, Checker(), [(probationary, 24)], REVIEW, youth_union=True
    )
    assert probationary.full_name in message


def test_youth_union_applies_under_30_where_it_exists_else_two_full_members(tree: dict) -> None:
    assert checks.youth_union_applies(dt.date(1995, 2, 4), True, REVIEW)  # 29 years 11 months
    assert not checks.youth_union_applies(dt.date(1995, 2, 3), True, REVIEW)  # exactly 30
    assert not checks.youth_union_applies(
        dt.date(2004, 1, 1), False, REVIEW
    )  # no Youth Union there
    one = full_member(tree["cell_a"], "DV-I2", "Lê Văn Một")
    two = full_member(tree["cell_a"], "DV-I3", "Lê Văn Hai")
    refuses(checks.check_introducers, Checker(), [(one, 24)], REVIEW, youth_union=False)
    checks.check_introducers(Checker(), [(one, 24), (two, 13)], REVIEW, youth_union=False)


# --- deadlines in working days ----------------------------------------------------------


def test_ceremony_deadline_across_tet_counted_in_working_days() -> None:
    decision = dt.date(2025, 1, 20)
    # 30 weekdays after 20/01/2025 would be 03/03/2025; Tết 2025 (27–31/01) pushes it a week.
    assert checks.deadline("admission.ceremony_working_days", decision) == dt.date(2025, 3, 10)
    assert working_days_between(decision, dt.date(2025, 3, 10)) == 30
    checks.check_deadline(
        Checker(), "admission.ceremony_working_days", decision, dt.date(2025, 3, 10), "Lễ"
    )
    message = refuses(
        checks.check_deadline,
        Checker(),
        "admission.ceremony_working_days",
        decision,
        dt.date(2025, 3, 11),
        "Lễ",
    )
    assert "10/03/2025" in message


def test_decision_within_60_working_days_plus_30_extension() -> None:
    resolution = dt.date(2025, 1, 20)
    last = add_working_days(resolution, 60)
    key = "admission.decision_working_days"
    checks.check_deadline(Checker(), key, resolution, last, "QĐ")
    refuses(
        checks.check_deadline, Checker(), key, resolution, add_working_days(resolution, 61), "QĐ"
    )
    checks.check_deadline(
        Checker(), key, resolution, add_working_days(resolution, 61), "QĐ", extension=True
    )
    checks.check_deadline(
        Checker(), key, resolution, add_working_days(resolution, 90), "QĐ", extension=True
    )
    refuses(
        checks.check_deadline,
        Checker(),
        key,
        resolution,
        add_working_days(resolution, 91),
        "QĐ",
        extension=True,
    )


def test_recognition_deadlines_30_working_days() -> None:
    end = dt.date(2026, 3, 25)
    checks.check_deadline(
        Checker(), "recognition.vote_working_days", end, add_working_days(end, 30), "x"
    )
    refuses(
        checks.check_deadline,
        Checker(),
        "recognition.vote_working_days",
        end,
        add_working_days(end, 31),
        "x",
    )
    vote = dt.date(2026, 4, 1)
    key = "recognition.decision_working_days"
    refuses(checks.check_deadline, Checker(), key, vote, add_working_days(vote, 31), "x")
    checks.check_deadline(Checker(), key, vote, add_working_days(vote, 31), "x", extension=True)


# --- the version in force on the event's date --------------------------------------------


def test_rule_version_is_chosen_by_the_event_date() -> None:
    before = rule_in_force("admission.certificate_valid_months", on=dt.date(2025, 6, 30))
    after = rule_in_force("admission.certificate_valid_months", on=dt.date(2025, 7, 1))
    assert "QĐ 232-QĐ/TW" in before.source and "HD 01-HD/TW" in before.source
    assert "QĐ 294-QĐ/TW" in after.source and after.clause == "HD 06-HD/TW điểm 5.4"
    old = refuses(checks.check_age, Checker(), dt.date(2007, 7, 1), dt.date(2025, 6, 30))
    new = refuses(checks.check_age, Checker(), dt.date(2007, 7, 2), dt.date(2025, 7, 1))
    assert "QĐ 232-QĐ/TW" in old and "QĐ 294" not in old
    assert "QĐ 294-QĐ/TW" in new and "QĐ 232-" not in new


@pytest.mark.parametrize(
    ("review", "quoted", "not_quoted"),
    [
        (dt.date(2025, 1, 19), "QĐ 24-QĐ/TW (30/7/2021)", "QĐ 232"),  # the day before
        (dt.date(2025, 1, 20), "QĐ 232-QĐ/TW (20/1/2025)", "QĐ 24-"),  # the day it was signed
        (dt.date(2025, 1, 21), "QĐ 232-QĐ/TW (20/1/2025)", "QĐ 24-"),  # the day after
        (dt.date(2025, 6, 30), "QĐ 232-QĐ/TW (20/1/2025)", "QĐ 294"),  # its last day
    ],
)
def test_qd_232_is_quoted_in_its_window(review: dt.date, quoted: str, not_quoted: str) -> None:
    """QĐ 232-QĐ/TW (20/1/2025) replaced QĐ 24 until QĐ 294 took effect on 1/7/2025."""
    born = add_months(review, -215)  # 17 years 11 months on the review day
    message = refuses(checks.check_age, Checker(), born, review)
    assert quoted in message and not_quoted not in message


def test_every_rule_citing_qd_24_in_january_2025_cites_qd_232_in_its_window() -> None:
    from chibo.core.rules import all_rules

    window = dt.date(2025, 3, 1)
    keys = {r.key for r in all_rules() if "QĐ 24-QĐ/TW" in r.source}
    assert {"probation.months", "transfer.official_present_working_days"} <= keys
    for key in keys:
        rule = rule_in_force(key, on=window)
        assert "QĐ 232-QĐ/TW (20/1/2025)" in rule.source, key
        assert rule.valid_from == dt.date(2025, 1, 20) and rule.valid_to == dt.date(2025, 7, 1)
        assert rule.value == rule_in_force(key, on=dt.date(2025, 1, 19)).value


def test_every_admission_rule_has_both_versions_with_sources() -> None:
    keys = [
        "admission.age_min_months",
        "admission.age_max_months",
        "admission.certificate_valid_months",
        "admission.introducer_min_months_together",
        "admission.youth_union_age_below",
        "admission.cell_vote_share",
        "admission.decision_working_days",
        "admission.ceremony_working_days",
        "recognition.vote_working_days",
        "recognition.decision_working_days",
    ]
    for key in keys:
        old = rule_in_force(key, on=dt.date(2024, 1, 1))
        new = rule_in_force(key, on=dt.date(2026, 1, 1))
        assert old.value == new.value and old.source != new.source and old.confidence in "HML"
    assert rule_in_force("admission.cell_vote_share", on=REVIEW).value == {"num": 2, "den": 3}
    assert rule_in_force("admission.age_min_months", on=REVIEW).value == 216


def test_a_date_no_regulation_covers_is_a_clear_error() -> None:
    # The age rule reaches back (past admissions, issue 20); the certificate's does not.
    checks.check_age(Checker(), dt.date(1990, 1, 1), dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        checks.check_certificate(Checker(), dt.date(2019, 1, 1), dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        checks.check_age(Checker(), dt.date(1900, 1, 1), dt.date(1929, 1, 1))


def test_refusal_reads_in_vietnamese_with_rule_title_and_source() -> None:
    from django.utils import translation

    with translation.override("vi"):
        message = refuses(
            checks.check_certificate, Checker(), dt.date(2020, 1, 3), dt.date(2025, 7, 3)
        )
    assert "Giấy chứng nhận bồi dưỡng nhận thức về Đảng" in message and "phải học lại" in message
    assert "HD 06-HD/TW điểm 5.4" in message
