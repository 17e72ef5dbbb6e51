"""A progress report's API writes need the `version` they were based on (review item 14)."""

from __future__ import annotations

from typing import Any

from chibo.directives.models import ProgressReport, ReportStatus, Task
from chibo.orgs.models import Org
from tests.directives.conftest import login

API = "/api/v1/directives"


def _post(client, path: str, body: dict) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


def test_save_submit_and_review_need_the_version(
    task: Task, t: dict[str, Org], unit_user: Any, office_user: Any
) -> None:
    unit, office = login(unit_user), login(office_user)
    a = task.assignments.get(org=t["khoi"]).pk
    body = {"period": "2024-H1", "text": "Đã quán triệt."}
    missing = _post(unit, f"/assignments/{a}/reports", body)
    assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
    assert not ProgressReport.objects.exists()
    created = _post(unit, f"/assignments/{a}/reports", {**body, "version": 0})
    assert created.status_code == 200 and created.json()["version"] == 1
    report = created.json()["id"]
    assert _post(unit, f"/assignments/{a}/reports", {**body, "version": 0}).status_code == 422
    for path, who, extra in (
        (f"/reports/{report}/submit", unit, {}),
        (f"/reports/{report}/review", office, {"accept": False, "comment": "Bổ sung số liệu."}),
    ):
        missing = _post(who, path, extra)
        assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
        current = ProgressReport.objects.get(pk=report)
        assert _post(who, path, {**extra, "version": current.version + 1}).status_code == 422
        assert ProgressReport.objects.get(pk=report).status == current.status
        ok = _post(who, path, {**extra, "version": current.version})
        assert ok.status_code == 200 and ok.json()["version"] == current.version + 1
    assert ProgressReport.objects.get(pk=report).status == ReportStatus.RETURNED
