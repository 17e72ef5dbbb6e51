"""The ``warnings`` and ``warnings-refresh`` commands, end to end."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from chibo.activity.models import MemberWarning
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests.activity.conftest import hold

pytestmark = pytest.mark.django_db


def test_warnings_json_contract(tree: dict[str, Org], student: Member) -> None:
    for day in (dt.date(2026, 5, 5), dt.date(2026, 6, 5), dt.date(2026, 9, 5)):
        hold(tree["cell_a"], day, {student: "unexcused"})
    out = io.StringIO()
    call_command("warnings", "--as-of", "2026-10-20", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == [
        {
            "member_code": student.member_code,
            "full_name": "Trần Thị Bình",
            "org_code": "BK-SV1",
            "level": "removal_review",
            "inactive_months": ["2026-05", "2026-06", "2026-09"],
            "unpaid_months": [],
        }
    ]
    out = io.StringIO()
    call_command("warnings", "--org", "Q1", "--as-of", "2026-10-20", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == []


def test_warnings_table_and_errors(tree: dict[str, Org], student: Member) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 5), {student: "unexcused"})
    out = io.StringIO()
    call_command("warnings", "--org", "BK", "--as-of", "2026-10-20", stdout=out)
    assert student.member_code in out.getvalue() and "warning" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("warnings", "--org", "NOPE")
    with pytest.raises(CommandError):
        call_command("warnings", "--as-of", "20/10/2026")


def test_warnings_refresh_runs_and_enqueues(
    tree: dict[str, Org], student: Member, settings: object
) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 5), {student: "unexcused"})
    out = io.StringIO()
    call_command("warnings-refresh", "--as-of", "2026-10-20", stdout=out)
    assert "1 warning" in out.getvalue()
    assert MemberWarning.objects.filter(member=student).exists()
    out = io.StringIO()
    call_command("warnings-refresh", "--as-of", "2026-10-20", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued")
