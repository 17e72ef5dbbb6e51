"""The demo data: deterministic, consistent with the event semantics, fast."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from chibo.accounts.models import RoleAssignment
from chibo.core.models import AuditEntry
from chibo.members import services
from chibo.members.demo.generate import EVENT_ROW_FIELDS, build_plan
from chibo.members.models import Category, Member, MemberEvent
from chibo.members.rows import MEMBER_FIELDS
from chibo.orgs.models import CELL_KINDS, Org, OrgEvent, OrgPeriod, encode_step

AS_OF = dt.date(2026, 11, 20)
COL = {name: i for i, name in enumerate(MEMBER_FIELDS)}
EV = {name: i for i, name in enumerate(EVENT_ROW_FIELDS)}


def _rows(members: int, seed: int) -> tuple[list[tuple], list[tuple]]:
    plan = build_plan(members=members, seed=seed, as_of=AS_OF)
    members_out: list[tuple] = []
    events_out: list[tuple] = []
    for chunk_members, chunk_events in plan.people():
        members_out += chunk_members
        events_out += chunk_events
    return members_out, events_out


def _seed(members: int = 300) -> str:
    out = StringIO()
    call_command("seed-demo", members=members, seed=7, members_only=True, stdout=out)
    return out.getvalue()


@pytest.mark.database_free
def test_same_seed_gives_identical_data_and_another_seed_does_not() -> None:
    first = _rows(300, 11)
    assert first == _rows(300, 11)
    other = _rows(300, 12)
    assert [m[COL["member_code"]] for m in first[0]] == [m[COL["member_code"]] for m in other[0]]
    assert [m[COL["full_name"]] for m in first[0]] != [m[COL["full_name"]] for m in other[0]]


@pytest.mark.database_free
def test_admission_shares_follow_the_directive_footnote() -> None:
    members, events = _rows(3000, 2023)
    since = (AS_OF - dt.timedelta(days=5 * 365)).isoformat()
    recent = Counter(
        m[COL["category_at_admission"]] for m in members if m[COL["admitted_on"]] >= since
    )
    total = sum(recent.values())
    assert 0.035 < recent["student"] / total < 0.065  # 4.85% in 1000-CV/TU
    assert recent["pupil"] >= 1
    assert len({m[COL["member_code"]] for m in members}) == len(members)
    names = [m[COL["full_name"]] for m in members]
    assert any(name.startswith("Đặng ") for name in names)
    assert "Nguyễn Văn An" in names
    surnames = Counter(name.split()[0] for name in names)
    assert 0.32 < surnames["Nguyễn"] / len(names) < 0.44
    abandoned = [
        e
        for e in events
        if e[EV["kind"]] == "removed"
        and e[EV["reason"]] == "abandoned_activity"
        and e[EV["category_after"]] == "student"
    ]
    assert abandoned


@pytest.mark.django_db
def test_member_state_is_the_state_after_its_last_event() -> None:
    _seed()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM members_member m JOIN members_memberevent e ON e.id = (
                    SELECT e2.id FROM members_memberevent e2 WHERE e2.member_id = m.id
                    ORDER BY e2.effective_date DESC, e2.id DESC LIMIT 1)
                WHERE e.org_id <> m.org_id OR e.status_after <> m.status OR e.category_after <> m.category"""
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            """SELECT COUNT(*) FROM members_member m JOIN members_memberevent e ON e.member_id = m.id AND e.kind = 'admitted'
                WHERE e.effective_date <> m.admitted_on OR e.org_id <> m.admitting_org_id"""
        )
        assert cursor.fetchone()[0] == 0
    assert Member.objects.count() == 300
    for member in Member.objects.all():
        state = services.replay(member)
        assert {name: getattr(member, name) for name in state} == state, member.member_code
        first = member.events.order_by("effective_date", "id").first()
        assert first.kind == "admitted"
        assert (
            member.probation_ends_on
            > member.ceremony_on
            >= member.admitted_on
            > member.date_of_birth
        )
    today = timezone.localdate()
    assert not MemberEvent.objects.filter(effective_date__gte=today).exists()
    assert not MemberEvent.objects.filter(recorded_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_members_sit_in_cells_and_the_tree_is_consistent() -> None:
    _seed()
    assert not Member.objects.exclude(org__kind__in=CELL_KINDS).exists()
    orgs = {org.id: org for org in Org.objects.all()}
    for org in orgs.values():
        parent = orgs.get(org.parent_id)
        assert org.path == (parent.path if parent else "") + encode_step(org.id)
        assert org.depth == len(org.path) // 6 - 1
        if parent is not None and parent.school_level:
            assert org.school_level == parent.school_level
    assert Org.objects.get(code="TU").depth == 0
    for code in ("DHQG", "KDHCD", "SGDDT", "KDCD", "TD", "Q1", "Q3", "Q5", "BT", "GV", "CC"):
        assert orgs[Org.objects.get(code=code).id].kind == "direct_committee"
    levels = set(Org.objects.exclude(school_level="").values_list("school_level", flat=True))
    assert levels == {"mam_non", "tieu_hoc", "thcs", "thpt", "trung_cap", "cao_dang", "dai_hoc"}
    assert OrgEvent.objects.filter(kind="created").count() == len(orgs)
    # The 2025 reform: districts closed, their organizations moved under the city on 1/7/2025.
    reform = dt.date(2025, 7, 1)
    moved = set(OrgEvent.objects.filter(kind="moved").values_list("org_id", flat=True))
    closed = set(OrgEvent.objects.filter(kind="closed").values_list("org_id", flat=True))
    assert moved and closed == {o.id for o in orgs.values() if o.closed_on == reform}
    assert OrgPeriod.objects.count() == len(orgs) + len(moved)
    for period in OrgPeriod.objects.filter(org_id__in=moved):
        assert (period.valid_to == reform) != (period.valid_from == reform)
    open_periods = OrgPeriod.objects.filter(valid_to__isnull=True)
    assert {p.org_id for p in open_periods} == set(orgs) - closed
    assert all(orgs[p.org_id].parent_id == p.parent_id for p in open_periods)
    seen = set(Member.objects.values_list("category", flat=True))
    seen |= set(Member.objects.values_list("category_at_admission", flat=True))
    assert seen == set(Category.values)


@pytest.mark.django_db
def test_demo_accounts_have_one_role_each() -> None:
    _seed()
    roles = {ra.user.username: ra for ra in RoleAssignment.objects.select_related("user", "org")}
    assert {name: ra.role for name, ra in roles.items()} == {
        "bithu": "cell_secretary",
        "cosoviec": "grassroots_staff",
        "captren": "superior_staff",
        "vanphong": "city_office",
        "xem": "viewer",
        "quantri": "sysadmin",
    }
    cell = roles["bithu"].org
    assert cell.is_cell and cell.school_level == "dai_hoc"
    assert cell.members.filter(category="student").exists()
    assert roles["cosoviec"].org == cell.parent
    assert cell.path.startswith(roles["captren"].org.path)
    assert roles["vanphong"].org.code == roles["quantri"].org.code == "TU"
    assert roles["xem"].org.code == "SGDDT"
    user = User.objects.get(username="bithu")
    assert user.check_password("chibo-demo-2026") and user.first_name
    entry = AuditEntry.objects.get()
    assert entry.action == "demo.seed" and entry.data["members"] == 300 and entry.data["seed"] == 7


@pytest.mark.django_db
def test_a_second_run_is_refused() -> None:
    _seed()
    with pytest.raises(CommandError, match="đã có tổ chức đảng"):
        _seed()
    assert Member.objects.count() == 300


@pytest.mark.django_db
def test_status_and_logins_commands() -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("demo-status", stdout=StringIO())
    assert exit_info.value.code == 1
    _seed()
    call_command("demo-status", stdout=StringIO())
    out = StringIO()
    call_command("demo-logins", stdout=out)
    text = out.getvalue()
    assert text.startswith("Tài khoản demo (mật khẩu: chibo-demo-2026):")
    assert "Bí thư chi bộ" in text and "KDHCD" in text
    assert text.rstrip().endswith("Mở http://127.0.0.1:8000")


@pytest.mark.django_db
def test_demo_logins_names_the_port_make_run_serves_on(monkeypatch) -> None:
    _seed()
    monkeypatch.setenv("PORT", "8011")  # PORT=8011 make run
    out = StringIO()
    call_command("demo-logins", stdout=out)
    assert out.getvalue().rstrip().endswith("Mở http://127.0.0.1:8011")


@pytest.mark.django_db
def test_seed_output_is_vietnamese_without_a_python_warning(settings) -> None:
    """The summary names what was loaded in Vietnamese; no English FieldKeyWarning with a source path."""
    import warnings
    from importlib import import_module

    from chibo.core import crypto

    command = import_module("chibo.members.management.commands.seed-demo")

    settings.CHIBO_FIELD_KEY = ""
    crypto._ring_for.cache_clear()  # a cached key ring: start as a fresh process does
    out, err = StringIO(), StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call_command("seed-demo", members=200, seed=3, stdout=out, stderr=err)
    assert [str(w.message) for w in caught if "crypto" in w.filename] == []
    text = out.getvalue() + err.getvalue()
    assert ".py:" not in text and "Warning" not in text
    assert "CHIBO_FIELD_KEY" in text  # said once, in Vietnamese: the development key is in use
    summaries = [line for line in text.splitlines() if line.startswith("  ") and ": " in line]
    assert len(summaries) >= len(command.EXTRA_APPS)  # one line per app, and the warnings
    labels = set(command.COUNT_LABELS.values())
    for line in summaries:
        heading, _, counts = line.strip().partition(": ")
        assert heading in command.APP_LABELS.values(), line
        for part in counts.rsplit(" (", 1)[0].split(", "):
            number, _, label = part.partition(" ")
            assert number.replace(".", "").isdigit() and label in labels, line
