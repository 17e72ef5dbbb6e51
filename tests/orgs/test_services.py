from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import EventKind, Member
from chibo.orgs import services
from chibo.orgs.models import Org, OrgKind
from chibo.orgs.selectors import subtree_ids_as_of, subtree_member_counts, tree_as_of
from tests import factories

pytestmark = pytest.mark.django_db
D_2025_07_01 = dt.date(2025, 7, 1)


def test_paths_nest_and_subtree_is_a_range(tree) -> None:
    uni, cell = tree["uni"], tree["cell_a"]
    assert cell.path.startswith(uni.path) and cell.depth == uni.depth + 1
    under = set(Org.objects.filter(uni.subtree_filter()).values_list("code", flat=True))
    assert under == {"BK", "BK-SV1", "BK-GV1"}


def test_kind_must_fit_its_parent(tree) -> None:
    with pytest.raises(ValidationError) as exc:
        factories.org("X", "Chi bộ lạc chỗ", OrgKind.SUBORDINATE_CELL, tree["city"])
    assert "parent" in exc.value.message_dict


def test_move_subtree_rewrites_paths_and_keeps_history(tree) -> None:
    city = tree["city"]
    ward = factories.org("P-BN", "Đảng ủy phường Bến Nghé", OrgKind.DIRECT_COMMITTEE, city)
    staff = factories.user("city", Role.SUPERIOR_STAFF, city)
    school = tree["school"]
    services.org_move(
        actor=staff,
        org=school,
        new_parent=ward,
        effective_date=D_2025_07_01,
        decision_number="01-QĐ/TU",
    )
    school.refresh_from_db()
    assert school.parent == ward and school.path.startswith(ward.path)
    # Before the move the school was under the district; after, under the ward.
    before = subtree_ids_as_of(tree["district"], dt.date(2025, 6, 30))
    after = subtree_ids_as_of(tree["district"], D_2025_07_01)
    assert school.pk in before and school.pk not in after
    assert school.pk in subtree_ids_as_of(ward, D_2025_07_01)
    assert AuditEntry.objects.filter(action="orgs.move", object_id=school.code).exists()


def test_move_a_committee_moves_its_whole_subtree(tree) -> None:
    city = tree["city"]
    other = factories.org("DHQG", "Đảng ủy ĐHQG", OrgKind.DIRECT_COMMITTEE, city)
    services.org_move(actor=None, org=tree["uni"], new_parent=other, effective_date=D_2025_07_01)
    cell = Org.objects.get(code="BK-SV1")
    assert cell.path.startswith(other.path) and cell.depth == 3
    assert set(Org.objects.filter(other.subtree_filter()).values_list("code", flat=True)) == {
        "DHQG",
        "BK",
        "BK-SV1",
        "BK-GV1",
    }


def test_cannot_move_under_own_subtree(tree) -> None:
    with pytest.raises(ValidationError):
        services.org_move(
            actor=None, org=tree["uni"], new_parent=tree["cell_a"], effective_date=D_2025_07_01
        )


def test_move_needs_rights_on_both_sides(tree) -> None:
    staff = factories.user("u", Role.GRASSROOTS_STAFF, tree["uni"])
    with pytest.raises(PermissionDenied):
        services.org_move(
            actor=staff,
            org=tree["cell_a"],
            new_parent=tree["district"],
            effective_date=D_2025_07_01,
        )


def test_merge_moves_members_and_closes_the_source(tree) -> None:
    a, b = tree["cell_a"], tree["cell_b"]
    m = factories.member(a)
    services.org_merge(actor=None, source=a, target=b, effective_date=dt.date(2025, 9, 1))
    a.refresh_from_db()
    m.refresh_from_db()
    assert a.closed_on == dt.date(2025, 9, 1) and a.merged_into == b
    assert m.org == b
    event = m.events.get(kind=EventKind.REASSIGNED)
    assert event.org == b and event.effective_date == dt.date(2025, 9, 1)
    # The merged cell is not part of the tree after the merge date.
    assert a.pk in tree_as_of(dt.date(2025, 8, 31)) and a.pk not in tree_as_of(dt.date(2025, 9, 1))


def test_rename_keeps_old_name_for_past_dates(tree) -> None:
    services.org_rename(
        actor=None,
        org=tree["school"],
        name="Chi bộ THPT Trưng Vương (mới)",
        effective_date=dt.date(2025, 1, 1),
    )
    assert (
        tree_as_of(dt.date(2024, 12, 31))[tree["school"].pk].name
        == "Chi bộ Trường THPT Trưng Vương"
    )
    assert tree_as_of(dt.date(2025, 1, 1))[tree["school"].pk].name.endswith("(mới)")


def test_close_refuses_an_org_with_members(tree) -> None:
    factories.member(tree["ward"], category="other")
    with pytest.raises(ValidationError):
        services.org_close(actor=None, org=tree["ward"], effective_date=dt.date(2025, 1, 1))


def test_subtree_counts_roll_up(tree) -> None:
    factories.member(tree["cell_a"])
    factories.member(tree["cell_a"], full_name="Trần Thị Mai", gender="female")
    factories.member(tree["cell_b"], category="lecturer", date_of_birth=dt.date(1980, 1, 1))
    counts = subtree_member_counts([tree["city"], tree["uni"], tree["cell_a"], tree["district"]])
    assert counts[tree["city"].pk] == 3 and counts[tree["uni"].pk] == 3
    assert counts[tree["cell_a"].pk] == 2 and counts[tree["district"].pk] == 0
    assert Member.objects.count() == 3
