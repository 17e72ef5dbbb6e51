"""A cell secretary imports members from a spreadsheet in the browser: upload, preview, check, confirm."""

from __future__ import annotations

import pytest

from chibo.core.roles import Role
from tests import factories as f
from tests.browser.helpers import login
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

pytestmark = pytest.mark.browser


def test_secretary_imports_members_from_xlsx(live_url, page, settings, tmp_path) -> None:
    from chibo.members.models import Member

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    tree = f.tree()
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    path = write_xlsx(
        tmp_path / "dang-vien.xlsx",
        MEMBER_HEADER,
        [member_row("DV1"), member_row("DV2", ho_ten="Lý Thị Cúc")],
    )
    login(page, live_url, "bithu")
    page.click("a[href='/interchange/']")
    page.select_option("#id_kind", "members")
    page.set_input_files("#id_file", str(path))
    page.click("form[action$='/interchange/upload/'] button[type=submit]")
    page.wait_for_selector("text=Lý Thị Cúc")
    page.click("button[value=check]")
    page.wait_for_selector("button[value=import]")
    assert Member.objects.count() == 0
    page.click("button[value=import]")
    page.wait_for_selector("#import-done")  # not the check's own success message
    # Checked through the UI, as the user would: the live server may run on
    # another database connection than the test's own thread.
    page.goto(f"{live_url}/members/?q=ly+thi+cuc")
    page.wait_for_selector("text=Lý Thị Cúc")
    page.goto(f"{live_url}/members/?q=DV1")
    page.wait_for_selector("text=Trần Thị Bình")


def test_interrupted_import_is_retried_from_the_page(live_url, page, settings, tmp_path) -> None:
    """A worker died mid-import: the job row says "running" with an old heartbeat."""
    import datetime as dt

    from django.utils import timezone

    from chibo.interchange.models import ImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    tree = f.tree()
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    path = write_xlsx(tmp_path / "dv.xlsx", MEMBER_HEADER, [member_row("DV7", ho_ten="Vũ Thị Lan")])
    job = ImportJob.objects.create(
        user=user,
        kind="members",
        filename="dv.xlsx",
        stored_as=str(path),
        size=path.stat().st_size,
        state=ImportJob.State.RUNNING,
        dry_run=False,
        phase="reading",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/interchange/jobs/{job.pk}/")
    page.wait_for_selector("text=Tác vụ bị gián đoạn")
    page.click("button[value=retry]")
    page.wait_for_selector("text=Đã nhập xong tệp.")
    page.goto(f"{live_url}/members/?q=DV7")
    page.wait_for_selector("text=Vũ Thị Lan")
