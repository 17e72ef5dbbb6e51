"""Notifications: the bell, the list, mark read (one, all), the API, and retention of read ones."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chibo.accounts.tokens import token_create
from chibo.core.models import AuditEntry, Notification
from chibo.core.notify import notifications_purge, notify
from chibo.core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(tree: dict[str, Any]) -> Any:
    return factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])


@pytest.fixture
def other(tree: dict[str, Any]) -> Any:
    return factories.user("bithu2", Role.CELL_SECRETARY, tree["cell_b"])


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notices(user: Any, n: int, url: str = "/activity/warnings/") -> list[Notification]:
    return [
        notify(user=user, kind="activity.warning", message=f"Cảnh báo số {i}", url=url)
        for i in range(n)
    ]


def test_bell_shows_the_unread_count(secretary: Any, other: Any) -> None:
    _notices(secretary, 3)
    _notices(other, 5)
    first = Notification.objects.filter(user=secretary).order_by("pk").first()
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    html = _client(secretary).get("/notifications/").content.decode()
    bell = re.search(r'<a href="/notifications/" class="bell".*?</a>', html, re.S).group(0)
    assert '<span class="bell-count">2</span>' in bell
    assert "Thông báo: 2 chưa đọc" in bell


def test_no_count_on_the_bell_without_unread(secretary: Any) -> None:
    html = _client(secretary).get("/notifications/").content.decode()
    assert 'class="bell"' in html and "bell-count" not in html
    assert "Chưa có thông báo" in html


def test_list_shows_only_own_notifications_newest_first(secretary: Any, other: Any) -> None:
    _notices(secretary, 2)
    notify(user=other, kind="x", message="Của người khác")
    html = _client(secretary).get("/notifications/").content.decode()
    assert "Của người khác" not in html
    assert html.index("Cảnh báo số 1") < html.index("Cảnh báo số 0")


def test_mark_one_read_then_all(secretary: Any) -> None:
    first, *_rest = _notices(secretary, 3)
    client = _client(secretary)
    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(user=secretary, read_at__isnull=True).count() == 2
    response = client.post("/notifications/read-all/", {"unread": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/notifications/?unread=1"
    assert "Không có thông báo chưa đọc" in response.content.decode()
    assert not Notification.objects.filter(user=secretary, read_at__isnull=True).exists()


def test_open_marks_read_and_goes_to_the_object(secretary: Any) -> None:
    (notice,) = _notices(secretary, 1, url="/activity/warnings/?org=BK-SV1")
    response = _client(secretary).post(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/activity/warnings/?org=BK-SV1"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_open_never_leaves_the_site(secretary: Any) -> None:
    (notice,) = _notices(secretary, 1, url="//evil.example/x")
    response = _client(secretary).post(f"/notifications/{notice.pk}/open/")
    assert response["Location"] == "/notifications/"
    assert "evil" not in _client(secretary).get("/notifications/").content.decode()


def test_another_users_notification_is_not_found(secretary: Any, other: Any) -> None:
    (theirs,) = _notices(other, 1)
    client = _client(secretary)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{2**63 + 5}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_list_is_paged_by_id(secretary: Any) -> None:
    _notices(secretary, 35)
    client = _client(secretary)
    html = client.get("/notifications/").content.decode()
    assert html.count('<li class="notice') == 30
    older = re.search(r'href="/notifications/\?before=(\d+)"', html)
    assert older
    rest = client.get(f"/notifications/?before={older.group(1)}").content.decode()
    assert rest.count('<li class="notice') == 5
    assert "Cảnh báo số 0" in rest and "Cảnh báo số 34" not in rest
    assert client.get("/notifications/?before=abc").status_code == 200


def test_pages_need_login() -> None:
    assert Client().get("/notifications/").status_code == 302
    assert Client().post("/notifications/read-all/").status_code == 302


# --- API ---------------------------------------------------------------------------


def _api(user: Any) -> dict[str, str]:
    _row, token = token_create(actor=None, user=user, name="t")
    return {"Authorization": f"Bearer {token}"}


def test_api_lists_pages_and_marks_read(secretary: Any, other: Any) -> None:
    made = _notices(secretary, 5)
    _notices(other, 2)
    headers = _api(secretary)
    client = Client()
    body = client.get("/api/v1/notifications", {"limit": 3}, headers=headers).json()
    assert [i["id"] for i in body["items"]] == [n.pk for n in reversed(made)][:3]
    assert body["unread"] == 5 and body["next"]
    assert body["items"][0]["url"] == "/activity/warnings/" and body["items"][0]["read_at"] is None
    rest = client.get(
        "/api/v1/notifications", {"limit": 3, "cursor": body["next"]}, headers=headers
    ).json()
    assert [i["id"] for i in rest["items"]] == [made[1].pk, made[0].pk] and rest["next"] is None

    one = client.post(f"/api/v1/notifications/{made[0].pk}/read", headers=headers)
    assert one.status_code == 200 and one.json()["read_at"]
    unread = client.get("/api/v1/notifications", {"unread": "true"}, headers=headers).json()
    assert len(unread["items"]) == 4 and unread["unread"] == 4
    done = client.post("/api/v1/notifications/read-all", headers=headers).json()
    assert done == {"marked": 4, "unread": 0}
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 2


def test_api_refuses_others_and_bad_cursors(secretary: Any, other: Any) -> None:
    (theirs,) = _notices(other, 1)
    headers = _api(secretary)
    client = Client()
    response = client.post(f"/api/v1/notifications/{theirs.pk}/read", headers=headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    bad = client.get("/api/v1/notifications", {"cursor": "xyz"}, headers=headers)
    assert bad.status_code == 422 and "cursor" in bad.json()["error"]["fields"]
    assert client.get("/api/v1/notifications").status_code == 401


# --- retention --------------------------------------------------------------------------


def test_read_notifications_are_kept_180_days(secretary: Any) -> None:
    now = timezone.now()
    old_read, recent_read, old_unread = _notices(secretary, 3)
    Notification.objects.filter(pk=old_read.pk).update(read_at=now - dt.timedelta(days=181))
    Notification.objects.filter(pk=recent_read.pk).update(read_at=now - dt.timedelta(days=179))
    Notification.objects.filter(pk=old_unread.pk).update(created_at=now - dt.timedelta(days=900))

    dry = notifications_purge(actor=None, now=now, dry_run=True)
    assert dry.deleted == 1 and Notification.objects.filter(pk=old_read.pk).exists()
    report = notifications_purge(actor=None, now=now)
    assert report.deleted == 1 and report.days == 180
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        recent_read.pk,
        old_unread.pk,
    }
    entry = AuditEntry.objects.get(action="core.notifications_purge")
    assert entry.data["deleted"] == 1


def test_the_retention_command_purges_read_notifications(secretary: Any, capsys: Any) -> None:
    (notice,) = _notices(secretary, 1)
    Notification.objects.filter(pk=notice.pk).update(
        read_at=timezone.now() - dt.timedelta(days=200)
    )
    call_command("purge-candidates")
    out = capsys.readouterr().out
    assert "Đã xóa 1 thông báo đã đọc" in out and "lưu 180 ngày" in out
    assert not Notification.objects.exists()
