from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chibo.core import audit
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.core.rules import RuleViolation
from chibo.members import services as s
from chibo.members.models import EventKind, Member, RemovalReason, Status
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def state(member: Member) -> dict:
    member.refresh_from_db()
    return {
        "org_id": member.org_id,
        "status": member.status,
        "category": member.category,
        "is_full": member.is_full,
        "recognized_on": member.recognized_on,
        "last_event_on": member.last_event_on,
        "ceremony_on": member.ceremony_on,
        "probation_ends_on": member.probation_ends_on,
    }


def test_admission_creates_a_probationary_member_with_its_first_event(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2024, 3, 1), ceremony_on=D(2024, 3, 10))
    assert m.status == Status.ACTIVE and not m.is_full
    assert m.probation_ends_on == D(2025, 3, 10)  # 12 months from the ceremony (Charter Art. 5)
    first = m.events.get()
    assert first.kind == EventKind.ADMITTED and first.org == tree["cell_a"]
    assert first.data["category_at_admission"] == "student"
    assert AuditEntry.objects.filter(action="members.admitted", object_id=m.member_code).exists()


def test_admission_only_into_a_cell(tree) -> None:
    with pytest.raises(ValidationError) as exc:
        factories.member(tree["uni"])
    assert "org" in exc.value.message_dict


def test_recognition_refused_one_day_before_probation_ends_quoting_the_rule(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2025, 7, 1))
    with pytest.raises(RuleViolation) as exc:
        s.member_recognize(
            actor=None, member=m, decided_on=D(2026, 6, 30), decision=s.Decision("5-QĐ/ĐU")
        )
    assert "QĐ 294-QĐ/TW" in " ".join(exc.value.messages)
    event = s.member_recognize(
        actor=None, member=m, decided_on=D(2026, 7, 1), decision=s.Decision("5-QĐ/ĐU")
    )
    assert event.effective_date == D(2026, 7, 1)
    assert state(m)["is_full"] is True


def test_recognition_takes_effect_when_probation_ended_even_if_decided_late(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2024, 3, 1))
    s.member_temp_transfer_out(
        actor=None,
        member=m,
        effective_date=D(2025, 4, 1),
        decision=s.Decision(),
        host="Trường ĐH Cần Thơ",
        until=D(2025, 10, 1),
    )
    event = s.member_recognize(
        actor=None, member=m, decided_on=D(2025, 5, 2), decision=s.Decision("9-QĐ/ĐU")
    )
    assert event.effective_date == D(2025, 3, 1)
    assert (
        event.status_after == Status.ACTIVE
    )  # the state on 1/3/2025, before the temporary transfer
    assert event.data["decided_on"] == "2025-05-02"
    m.refresh_from_db()
    assert m.status == Status.TEMP_AWAY and m.is_full and m.recognized_on == D(2025, 3, 1)
    assert s.replay(m) == {k: v for k, v in state(m).items()}


def test_future_and_out_of_order_dates_are_refused(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2024, 3, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        s.member_exempt(
            actor=None, member=m, effective_date=tomorrow, decision=s.Decision(), note="ốm"
        )
    with pytest.raises(ValidationError) as exc:
        s.member_exempt(
            actor=None, member=m, effective_date=D(2024, 2, 1), decision=s.Decision(), note="ốm"
        )
    assert "effective_date" in exc.value.message_dict
    assert m.events.count() == 1


def test_removed_member_cannot_be_transferred_and_nothing_is_written(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2024, 3, 1))
    s.member_remove(
        actor=None,
        member=m,
        effective_date=D(2025, 1, 10),
        decision=s.Decision("3-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match=r"status|trạng thái"):
        s.member_transfer_out(
            actor=None,
            member=m,
            effective_date=D(2025, 2, 1),
            decision=s.Decision(),
            destination="Tỉnh Long An",
        )
    assert m.events.count() == 2 and AuditEntry.objects.count() == before


def test_removal_needs_a_reason_and_a_decision(tree) -> None:
    m = factories.member(tree["cell_a"])
    with pytest.raises(ValidationError):
        s.member_remove(
            actor=None, member=m, effective_date=D(2025, 1, 1), decision=s.Decision("1"), reason=""
        )
    with pytest.raises(ValidationError):
        s.member_remove(
            actor=None,
            member=m,
            effective_date=D(2025, 1, 1),
            decision=s.Decision(""),
            reason=RemovalReason.UNPAID_DUES,
        )
    with pytest.raises(ValidationError):
        s.member_remove(
            actor=None,
            member=m,
            effective_date=D(2025, 1, 1),
            decision=s.Decision("1"),
            reason=RemovalReason.OTHER,
            note="",
        )


def test_official_transfer_within_chibo_is_received_by_the_destination(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2023, 1, 5))
    receiver = factories.user("recv", Role.CELL_SECRETARY, tree["school"])
    sender = factories.user("send", Role.CELL_SECRETARY, tree["cell_a"])
    s.member_transfer_out(
        actor=sender,
        member=m,
        effective_date=D(2025, 6, 1),
        decision=s.Decision("7-CV/ĐU"),
        destination_org=tree["school"],
    )
    assert state(m)["status"] == Status.TRANSFERRED_OUT
    # A cell that is not the destination cannot claim the member.
    stranger = factories.user("x", Role.CELL_SECRETARY, tree["ward"])
    with pytest.raises(ValidationError):
        s.member_transfer_in(
            actor=stranger,
            member=m,
            org=tree["ward"],
            effective_date=D(2025, 6, 20),
            decision=s.Decision(),
        )
    s.member_transfer_in(
        actor=receiver,
        member=m,
        org=tree["school"],
        effective_date=D(2025, 6, 20),
        decision=s.Decision(),
    )
    m.refresh_from_db()
    assert m.org == tree["school"] and m.status == Status.ACTIVE and m.pending_org is None
    assert s.replay(m) == state(m)


def test_secretary_cannot_change_a_member_of_another_cell(tree) -> None:
    m = factories.member(tree["cell_b"], category="lecturer", date_of_birth=D(1980, 1, 1))
    secretary = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    with pytest.raises(PermissionDenied):
        s.member_exempt(
            actor=secretary,
            member=m,
            effective_date=D(2025, 1, 1),
            decision=s.Decision(),
            note="ốm",
        )
    viewer = factories.user("v", Role.VIEWER, tree["city"])
    with pytest.raises(PermissionDenied):
        s.member_exempt(
            actor=viewer, member=m, effective_date=D(2025, 1, 1), decision=s.Decision(), note="ốm"
        )


def test_stale_version_is_refused(tree) -> None:
    m = factories.member(tree["cell_a"])
    version = m.version
    s.member_update_identity(
        actor=None, member=m, changes={"phone": "0987654321"}, expected_version=version
    )
    stale = Member.objects.get(pk=m.pk)
    stale.version = version
    with pytest.raises(ValidationError, match=r"Someone else|Người khác"):
        s.member_update_identity(
            actor=None, member=stale, changes={"phone": "0900000000"}, expected_version=version
        )
    assert Member.objects.get(pk=m.pk).phone == "0987654321"


def test_identity_update_refolds_the_name_and_hides_sensitive_values_in_audit(tree) -> None:
    m = factories.member(tree["cell_a"])
    s.member_update_identity(
        actor=None, member=m, changes={"full_name": " Đặng  Văn An ", "citizen_id": "079"}
    )
    m.refresh_from_db()
    assert (
        m.full_name == "Đặng Văn An" and m.name_folded == "dang van an" and m.given_folded == "an"
    )
    entry = AuditEntry.objects.filter(action="members.identity_update").last()
    assert entry.data["citizen_id"] == "***"


def test_full_lifecycle_replays_to_the_stored_state(tree) -> None:
    m = factories.member(tree["cell_a"], admitted_on=D(2021, 9, 1))
    dec = s.Decision("1-QĐ/ĐU")
    s.member_recognize(actor=None, member=m, decided_on=D(2022, 9, 15), decision=dec)
    s.member_issue_card(
        actor=None, member=m, effective_date=D(2022, 11, 1), decision=dec, card_number="79001234"
    )
    s.member_temp_transfer_out(
        actor=None, member=m, effective_date=D(2023, 1, 1), decision=dec, host_org=tree["cell_b"]
    )
    assert state(m)["status"] == Status.TEMP_AWAY
    m.refresh_from_db()
    assert m.temp_host_org == tree["cell_b"]
    s.member_temp_transfer_back(actor=None, member=m, effective_date=D(2023, 6, 1), decision=dec)
    s.member_change_category(
        actor=None, member=m, effective_date=D(2024, 7, 1), category="public_employee"
    )
    s.member_exempt(
        actor=None,
        member=m,
        effective_date=D(2024, 8, 1),
        decision=dec,
        note="Điều trị bệnh dài ngày",
    )
    s.member_end_exemption(actor=None, member=m, effective_date=D(2025, 2, 1), decision=dec)
    s.member_transfer_out(
        actor=None,
        member=m,
        effective_date=D(2025, 3, 1),
        decision=dec,
        destination="Đảng bộ tỉnh Bình Dương",
    )
    s.member_transfer_in(
        actor=None, member=m, org=tree["cell_a"], effective_date=D(2025, 3, 20), decision=dec
    )
    s.member_record_death(actor=None, member=m, effective_date=D(2025, 10, 1), decision=dec)
    m.refresh_from_db()
    assert (
        m.status == Status.DECEASED
        and m.category == "public_employee"
        and m.party_card_number == "79001234"
    )
    assert s.replay(m) == state(m)
    assert m.events.count() == 11
    assert list(audit.verify()) == []


def test_receive_from_outside_chibo(tree) -> None:
    identity = s.Identity(
        member_code="DV77",
        full_name="Võ Thị Thu",
        date_of_birth=D(1990, 2, 2),
        gender="female",
        category="teacher",
    )
    m = s.member_receive_from_outside(
        actor=None,
        org=tree["school"],
        identity=identity,
        admitted_on=D(2015, 5, 19),
        recognized_on=D(2016, 5, 19),
        arrived_on=D(2025, 8, 1),
        decision=s.Decision(),
        from_body="Đảng bộ tỉnh Tây Ninh",
    )
    assert m.is_full and m.status == Status.ACTIVE
    assert s.replay(m) == state(m)


def test_duplicate_member_code_is_refused(tree) -> None:
    factories.member(tree["cell_a"], code="DV1")
    with pytest.raises(ValidationError) as exc:
        factories.member(tree["cell_b"], code="DV1")
    assert "member_code" in exc.value.message_dict


# --- the admission ceremony (admitted at the decision, probation from the ceremony) ---------


DECIDED = D(2025, 3, 10)


def _decided(tree, admitted_on: dt.date = DECIDED, **extra) -> Member:
    """A member admitted by a decision whose ceremony is still to be held."""
    return factories.member(tree["cell_a"], admitted_on=admitted_on, ceremony_pending=True, **extra)


def test_admission_with_the_ceremony_pending_has_no_probation_yet(tree) -> None:
    m = _decided(tree)
    assert m.ceremony_on is None and m.probation_ends_on is None and not m.is_full
    first = m.events.get()
    assert first.kind == EventKind.ADMITTED and first.data["ceremony_on"] is None
    assert s.replay(m) == state(m)
    with pytest.raises(ValueError):
        _decided(tree, ceremony_on=D(2025, 3, 20), code="DV-X")


def test_ceremony_appends_its_event_starts_probation_and_replays(tree) -> None:
    m = _decided(tree)
    secretary = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    event = s.member_record_ceremony(
        actor=secretary, member=m, on=D(2025, 3, 25), document_number="BB-01", note="Lễ tại trường"
    )
    assert event.kind == EventKind.CEREMONY and event.effective_date == D(2025, 3, 25)
    assert event.get_kind_display() in ("Admission ceremony", "Lễ kết nạp")
    assert event.decision_number == "BB-01" and event.org == tree["cell_a"]
    assert event.data == {"probation_months": 12, "probation_ends_on": "2026-03-25"}
    m.refresh_from_db()
    # 12 months from the ceremony (probation.months), not from the decision of 10/03/2025.
    assert (m.ceremony_on, m.probation_ends_on) == (D(2025, 3, 25), D(2026, 3, 25))
    assert m.last_event_on == D(2025, 3, 25) and m.status == Status.ACTIVE
    assert [e.kind for e in m.events.all()] == [EventKind.ADMITTED, EventKind.CEREMONY]
    assert s.replay(m) == state(m)
    entry = AuditEntry.objects.get(action="members.ceremony", object_id=m.member_code)
    assert entry.actor_username == "sec" and entry.data["probation_ends_on"] == "2026-03-25"
    s.member_recognize(actor=None, member=m, decided_on=D(2026, 4, 15), decision=s.Decision("1"))
    m.refresh_from_db()
    assert m.recognized_on == D(2026, 3, 25)  # effective the day probation ended
    assert s.replay(m) == state(m)


def test_ceremony_refusals_change_nothing(tree) -> None:
    m = _decided(tree)
    with pytest.raises(ValidationError) as exc:  # before the admission decision
        s.member_record_ceremony(actor=None, member=m, on=D(2025, 3, 9))
    assert "effective_date" in exc.value.message_dict
    with pytest.raises(ValidationError):  # in the future
        s.member_record_ceremony(
            actor=None, member=m, on=timezone.localdate() + dt.timedelta(days=1)
        )
    outsider = factories.user("sec-b", Role.CELL_SECRETARY, tree["cell_b"])
    with pytest.raises(PermissionDenied):
        s.member_record_ceremony(actor=outsider, member=m, on=D(2025, 3, 25))
    with pytest.raises(ValidationError, match=r"probation has not started|chưa bắt đầu"):
        s.member_recognize(actor=None, member=m, decided_on=D(2026, 4, 1), decision=s.Decision())
    assert m.events.count() == 1 and Member.objects.get(pk=m.pk).ceremony_on is None
    s.member_record_ceremony(actor=None, member=m, on=D(2025, 3, 25))
    with pytest.raises(ValidationError, match="25/03/2025"):  # held once only
        s.member_record_ceremony(actor=None, member=m, on=D(2025, 3, 26))
    held = factories.member(tree["cell_a"], admitted_on=D(2024, 3, 1))  # ceremony recorded
    with pytest.raises(ValidationError):
        s.member_record_ceremony(actor=None, member=held, on=D(2024, 3, 5))
    gone = _decided(tree, code="DV-GONE")
    s.member_remove(
        actor=None,
        member=gone,
        effective_date=D(2025, 4, 1),
        decision=s.Decision("3-QĐ/ĐU"),
        reason=RemovalReason.OTHER,
        note="Không tổ chức lễ kết nạp",
    )
    with pytest.raises(ValidationError):  # no longer on the rolls
        s.member_record_ceremony(actor=None, member=gone, on=D(2025, 4, 2))
    assert m.events.count() == 2 and gone.events.count() == 2


def test_probation_length_is_the_rule_in_force_on_the_ceremony_date(tree) -> None:
    from chibo.core.models import RuleVersion

    current = RuleVersion.objects.get(key="probation.months", valid_to__isnull=True)
    current.valid_to = D(2026, 6, 1)
    current.save()
    RuleVersion.objects.create(
        key="probation.months",
        title="test",
        value=18,
        source="QĐ 999-QĐ/TW",
        clause="§1",
        valid_from=D(2026, 6, 1),
        confidence="L",
    )
    before, after = _decided(tree, D(2026, 5, 20)), _decided(tree, D(2026, 5, 20), code="DV-18")
    s.member_record_ceremony(actor=None, member=before, on=D(2026, 5, 31))
    s.member_record_ceremony(actor=None, member=after, on=D(2026, 6, 1))
    assert before.probation_ends_on == D(2027, 5, 31)  # 12 months: the rule of 31/05/2026
    assert after.probation_ends_on == D(2027, 12, 1)  # 18 months: the rule of 01/06/2026
    assert s.replay(after) == state(after)


def test_reassignment_needs_the_restructuring_right_on_both_orgs(tree) -> None:
    m = factories.member(tree["cell_a"])
    secretary = factories.user(
        "bt", Role.CELL_SECRETARY, tree["cell_a"]
    )  # member.change, no restructure
    with pytest.raises(PermissionDenied):
        s.members_reassign(
            actor=secretary,
            source=tree["cell_a"],
            target=tree["cell_b"],
            effective_date=dt.date(2025, 6, 1),
        )
    m.refresh_from_db()
    assert m.org == tree["cell_a"] and not m.events.filter(kind="reassigned").exists()
