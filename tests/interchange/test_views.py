"""Import/export pages: inside actor 200, outside 404, read-only 403; upload → check → confirm."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from chibo.core.roles import Role
from chibo.interchange.models import ImportJob
from chibo.members.models import Member
from tests import factories as f
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _run(client: Client, job: ImportJob, action: str, capture) -> object:
    with capture(execute=True):
        return client.post(reverse("interchange:run", args=[job.pk]), {"action": action})


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path) -> None:
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path


@pytest.fixture
def inside(tree):
    return f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])


def _upload(client: Client, tmp_path, rows: list, kind: str = "members"):
    """Upload; the preview task queued on commit runs (inline in these tests)."""
    data = write_xlsx(tmp_path / "up.xlsx", MEMBER_HEADER, rows).read_bytes()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("interchange:upload"),
            {"kind": kind, "file": SimpleUploadedFile("dang-vien.xlsx", data)},
        )


def test_upload_preview_check_confirm(inside, tmp_path, django_capture_on_commit_callbacks) -> None:
    client = _client(inside)
    assert client.get(reverse("interchange:index")).status_code == 200
    response = _upload(
        client, tmp_path, [member_row("DV1"), member_row("DV2", ho_ten="Lý Thị Cúc")]
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interchange:job", args=[job.pk]
    )
    page = client.get(reverse("interchange:job", args=[job.pk]))
    assert page.status_code == 200 and "Lý Thị Cúc" in page.content.decode()
    _run(client, job, "check", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "checked" and job.counts["created"] == 2 and Member.objects.count() == 0
    progress = client.get(reverse("interchange:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "hx-trigger" not in progress.content.decode()
    _run(client, job, "import", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "done" and Member.objects.count() == 2


def test_errors_report_download(inside, tmp_path, django_capture_on_commit_callbacks) -> None:
    from openpyxl import load_workbook

    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1"), member_row("DV2", ngay_sinh="xx")])
    job = ImportJob.objects.get()
    _run(client, job, "check", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "invalid"
    response = client.get(reverse("interchange:errors", args=[job.pk]))
    assert response.status_code == 200
    path = tmp_path / "report.xlsx"
    path.write_bytes(response.content)
    workbook = load_workbook(path)
    rows = list(workbook["Dòng lỗi"].values)
    assert (
        rows[0][:3] == ("Lỗi", "Dòng", "ma_dang_vien")  # the uploaded file's own headers
        and rows[1][1] == 3
        and rows[1][0].startswith("Ngày sinh: ")  # the column by its Vietnamese header
    )
    detail = list(workbook["Chi tiết"].values)
    assert detail[0] == ("Trang tính", "Dòng", "Cột", "Giá trị", "Lỗi")
    assert detail[1][:4] == ("dang_vien", 3, "Ngày sinh", "xx")


def test_import_refused_without_clean_check(inside, tmp_path) -> None:
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1")])
    job = ImportJob.objects.get()
    assert (
        client.post(reverse("interchange:run", args=[job.pk]), {"action": "import"}).status_code
        == 403
    )
    assert Member.objects.count() == 0


def test_outside_user_gets_404_on_someone_elses_job(inside, tree, tmp_path) -> None:
    _upload(_client(inside), tmp_path, [member_row("DV1")])
    job = ImportJob.objects.get()
    other = _client(f.user("q1", Role.SUPERIOR_STAFF, tree["district"]))
    for name in ("interchange:job", "interchange:progress", "interchange:errors"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert (
        other.post(reverse("interchange:run", args=[job.pk]), {"action": "check"}).status_code
        == 404
    )


def test_outside_export_of_an_org_is_404(tree) -> None:
    other = _client(f.user("q1", Role.SUPERIOR_STAFF, tree["district"]))
    assert (
        other.get(reverse("interchange:export"), {"org": "BK", "kind": "members"}).status_code
        == 404
    )


def test_viewer_reads_but_cannot_import(tree, tmp_path) -> None:
    f.member(tree["cell_a"], code="A1")
    viewer = _client(f.user("xem", Role.VIEWER, tree["uni"]))
    assert viewer.get(reverse("interchange:index")).status_code == 200
    assert _upload(viewer, tmp_path, [member_row("DV1")]).status_code == 403
    response = viewer.get(
        reverse("interchange:export"), {"kind": "members", "org": "BK", "format": "csv"}
    )
    assert response.status_code == 200 and b"A1," in response.content
    assert ImportJob.objects.count() == 0


def test_template_has_headers_sample_and_lists(inside, tmp_path) -> None:
    from openpyxl import load_workbook

    response = _client(inside).get(reverse("interchange:template", args=["members"]))
    assert response.status_code == 200
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    ws = load_workbook(path)["Đảng viên"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Mã đảng viên", "Họ và tên", "Ngày sinh"]
    assert "Mã tổ chức kết nạp" in headers  # words, not ma_to_chuc_ket_nap
    assert all(not re.search(r"[a-z]_[a-z]", h) for h in headers)
    assert ws["B2"].value == "Nguyễn Văn An"
    assert any("Sinh viên" in dv.formula1 for dv in ws.data_validations.dataValidation)


def test_anonymous_is_sent_to_login() -> None:
    assert Client().get(reverse("interchange:index")).status_code == 302


def _stale(job: ImportJob, *, state: str, dry_run: bool, minutes: int) -> None:
    """The row a crashed worker leaves: still queued/running, heartbeat ``minutes`` old."""
    import datetime as dt

    from django.utils import timezone

    old = timezone.now() - dt.timedelta(minutes=minutes)
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, dry_run=dry_run, phase="reading", heartbeat_at=old
    )
    job.refresh_from_db()


def test_running_job_with_a_fresh_heartbeat_is_not_retryable(inside, tmp_path) -> None:
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1")])
    job = ImportJob.objects.get()
    _stale(job, state="running", dry_run=True, minutes=2)
    page = client.get(reverse("interchange:progress", args=[job.pk])).content.decode()
    assert job.is_running and not job.is_stale
    assert 'value="retry"' not in page and "hx-trigger" in page
    response = client.post(reverse("interchange:run", args=[job.pk]), {"action": "retry"})
    assert response.status_code == 403


def test_stale_import_is_shown_interrupted_and_retry_runs_it(
    inside, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CHIBO_IMPORT_STALE_MINUTES = 15
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1"), member_row("DV2", ho_ten="Lý Thị Cúc")])
    job = ImportJob.objects.get()
    _run(client, job, "check", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "checked"
    # The import was started, then its worker died: the row stays "running".
    _stale(job, state="running", dry_run=False, minutes=16)
    assert job.is_stale and not job.is_running
    page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    assert "Tác vụ bị gián đoạn" in page and "15" in page
    assert 'value="retry"' in page and "hx-trigger" not in page
    listing = client.get(reverse("interchange:index")).content.decode()
    assert "Tác vụ bị gián đoạn" in listing
    response = _run(client, job, "retry", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "done" and not job.dry_run and job.heartbeat_at is not None
    assert Member.objects.count() == 2


def test_stale_check_is_retried_as_a_check(
    inside, tmp_path, django_capture_on_commit_callbacks
) -> None:
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1")])
    job = ImportJob.objects.get()
    _stale(job, state="queued", dry_run=True, minutes=11)  # default limit: 10 minutes
    assert job.is_stale
    _run(client, job, "retry", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == "checked" and Member.objects.count() == 0


def test_failed_job_offers_retry(inside, tmp_path) -> None:
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1")])
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="failed", dry_run=True)
    page = client.get(reverse("interchange:progress", args=[job.pk])).content.decode()
    assert 'value="retry"' in page


def test_download_names_are_vietnamese_without_diacritics(
    inside, tmp_path, django_capture_on_commit_callbacks
) -> None:
    import re

    client = _client(inside)

    def name(url: str, params: dict | None = None) -> str:
        disposition = client.get(url, params or {})["Content-Disposition"]
        return re.search(r'filename="([^"]+)"', disposition).group(1)

    assert name(reverse("interchange:template", args=["members"])) == "mau-nhap-dang-vien.xlsx"
    assert name(reverse("interchange:template", args=["orgs"])) == "mau-nhap-to-chuc.xlsx"
    assert name(reverse("interchange:template", args=["attendance"])) == "mau-nhap-diem-danh.xlsx"
    assert name(reverse("interchange:template", args=["dues"])) == "mau-nhap-dang-phi.xlsx"
    today = f"{timezone.localdate():%d-%m-%Y}"
    export = reverse("interchange:export")
    assert name(export, {"kind": "members", "org": "BK-SV1"}) == f"dang-vien-BK-SV1-{today}.xlsx"
    assert name(export, {"kind": "orgs", "format": "csv"}) == f"to-chuc-{today}.csv"
    _upload(client, tmp_path, [member_row("DV1", ngay_sinh="31/02/2003")])
    job = ImportJob.objects.get()
    _run(client, job, "check", django_capture_on_commit_callbacks)
    assert name(reverse("interchange:errors", args=[job.pk])) == "loi-nhap-dang-vien.xlsx"


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _worker_runs_queued_tasks() -> int:
    """What `chibo db_worker` does with each waiting task (here in the test's process)."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for row in DBTaskResult.objects.ready():
        task = row.task
        task.call(*row.task_result.args, **row.task_result.kwargs)
        row.set_successful(None)
        ran += 1
    return ran


def test_the_web_process_never_parses_an_upload(inside, tmp_path, settings, monkeypatch) -> None:
    """The review's 12 KB file took the server to 3.5 GB and a 597 MB preview page."""
    import chibo.interchange.jobs as jobs
    import chibo.interchange.reader as reader
    import chibo.interchange.sheets as sheets
    from tests.interchange.helpers import shared_string_bomb

    settings.TASKS = DATABASE_TASKS
    from django.utils import timezone as tz

    from chibo.core.models import WorkerHeartbeat

    # A worker is running (it stamps its heartbeat), though not in this process.
    WorkerHeartbeat.objects.create(worker_id="w", started_at=tz.now(), seen_at=tz.now())
    client = _client(inside)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the web process parsed an upload")

    with monkeypatch.context() as web:
        for module in (reader, jobs, sheets):
            web.setattr(module, "open_table", no_parsing)
        data = shared_string_bomb(tmp_path / "bomb.xlsx").read_bytes()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("interchange:upload"),
                {"kind": "members", "file": SimpleUploadedFile("bomb.xlsx", data)},
            )
        job = ImportJob.objects.get()
        assert response.status_code == 302
        page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
        assert "Đang đọc những dòng đầu" in page and len(page) < 50_000
        partial = client.get(reverse("interchange:preview", args=[job.pk])).content.decode()
        assert "hx-trigger" in partial
    assert _worker_runs_queued_tasks() == 1  # the preview task, in the worker
    job.refresh_from_db()
    assert job.state == "invalid" and "an toàn" in job.preview["refused"]
    with monkeypatch.context() as web:
        for module in (reader, jobs, sheets):
            web.setattr(module, "open_table", no_parsing)
        page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
        assert "an toàn" in page and 'value="check"' not in page and len(page) < 50_000
        refused = client.post(reverse("interchange:run", args=[job.pk]), {"action": "check"})
        assert refused.status_code == 403


def test_preview_is_small_whatever_the_file(inside, tmp_path) -> None:
    import random

    rng = random.Random(16)

    def words(n: int) -> str:
        return "".join(rng.choice("abcdeghiklmnopqrstuvxyăâđêôơư ") for _ in range(n))

    header = MEMBER_HEADER + [f"cot_them_{i}" for i in range(200)]
    rows = [[f"DV{n}", words(3000)] + [words(300) for _ in header[2:]] for n in range(50)]
    data = write_xlsx(tmp_path / "wide.xlsx", header, rows).read_bytes()
    client = _client(inside)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("interchange:upload"),
            {"kind": "members", "file": SimpleUploadedFile("wide.xlsx", data)},
        )
    job = ImportJob.objects.get()
    preview = job.preview
    assert len(preview["headers"]) == 30 and preview["more_columns"] == len(header) - 30
    assert len(preview["rows"]) == 10 and max(len(c) for r in preview["rows"] for c in r) <= 80
    page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    assert len(page) < 60_000 and "thêm 188 cột" in page


def test_error_report_is_built_by_the_task_and_served_as_stored(
    inside, tmp_path, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    client = _client(inside)
    _upload(client, tmp_path, [member_row("DV1", ngay_sinh="xx")])
    job = ImportJob.objects.get()
    _run(client, job, "check", django_capture_on_commit_callbacks)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the web process parsed an upload")

    monkeypatch.setattr("chibo.interchange.sheets.open_table", no_parsing)
    response = client.get(reverse("interchange:errors", args=[job.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
