"""The daily audit-chain verification: silent when intact, alerts the sysadmins on a break."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chibo.core import audit, tasks
from chibo.core.models import AuditEntry, Notification
from chibo.core.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_intact_chain_sends_nothing(tree: dict) -> None:
    f.user("quantri", Role.SYSADMIN, tree["city"])
    audit.record(actor=None, action="test.one")
    result = tasks.verify_audit_chain.call(reschedule=False)
    assert result["problems"] == 0 and not Notification.objects.exists()


def test_a_tampered_entry_alerts_every_sysadmin_once_a_day(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["city"])
    other = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    audit.record(actor=None, action="test.one", data={"x": 1})
    audit.record(actor=None, action="test.two")
    AuditEntry.objects.filter(action="test.one").update(data={"x": 2})  # someone edits the log
    result = tasks.verify_audit_chain.call(reschedule=False)
    assert result["problems"] >= 1 and result["alerted"] == 1
    note = Notification.objects.get(user=admin)
    assert note.kind == "audit_broken" and "kiểm toán" in note.message
    assert not Notification.objects.filter(user=other).exists()
    tasks.audit_verify_and_alert()  # the same day: not repeated
    assert Notification.objects.filter(user=admin).count() == 1
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit-verify", "--alert")


def test_next_run_is_the_coming_2am_local_time() -> None:
    tz = timezone.get_current_timezone()
    before = dt.datetime(2026, 5, 1, 1, 59, tzinfo=tz)
    after = dt.datetime(2026, 5, 1, 2, 0, tzinfo=tz)
    assert tasks.next_run(before) == dt.datetime(2026, 5, 1, 2, 0, tzinfo=tz)
    assert tasks.next_run(after) == dt.datetime(2026, 5, 2, 2, 0, tzinfo=tz)


def test_schedule_enqueues_one_waiting_run(settings) -> None:
    from django_tasks_db.models import DBTaskResult

    assert tasks.schedule_next() is True
    assert tasks.schedule_next() is False
    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("verify_audit_chain") and job.run_after.hour in (19, 2)
