"""Issue 23 on the web: the check stores what it found, the mapping step, profiles at upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chibo.core.roles import Role
from chibo.interchange.models import ImportJob, ImportProfile
from chibo.members.models import Member
from tests import factories as f
from tests.interchange.test_mapping_files import FILES

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path) -> None:
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path


@pytest.fixture
def staff(tree):
    # Grassroots staff of the university: may import into both of its cells.
    return f.user("vanphong", Role.GRASSROOTS_STAFF, tree["uni"])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, name: str, capture, profile: str = ""):
    data = (FILES / name).read_bytes()
    with capture(execute=True):
        return client.post(
            reverse("interchange:upload"),
            {"kind": "members", "file": SimpleUploadedFile(name, data), "profile": profile},
        )


def _check(client, job, capture):
    with capture(execute=True):
        client.post(reverse("interchange:run", args=[job.pk]), {"action": "check"})
    job.refresh_from_db()
    return job


def test_the_check_stores_what_it_found_and_the_page_says_the_header_row(
    staff, django_capture_on_commit_callbacks
) -> None:
    client = _client(staff)
    _upload(client, "03-tieu-de-hai-dong.xlsx", django_capture_on_commit_callbacks)
    job = _check(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    assert job.state == ImportJob.State.CHECKED, job.problems
    assert (job.analysis["header_row"], job.analysis["header_rows"]) == (4, 2)
    page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    assert "Tên cột đọc từ dòng 4–5 của tệp" in page
    mapping = client.get(reverse("interchange:mapping", args=[job.pk])).content.decode()
    assert "Ngày vào Đảng – Chính thức" in mapping and "Ghép cột và giá trị" in mapping


def test_the_mapping_step_saves_the_mapping_and_a_profile_and_checks_again(
    staff, tree, django_capture_on_commit_callbacks
) -> None:
    client = _client(staff)
    _upload(client, "08-cot-ghi-chu.xlsx", django_capture_on_commit_callbacks)
    job = _check(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    columns = job.analysis["columns"]
    post = {f"column-{i}": c["field"] for i, c in enumerate(columns)}
    # The user ignores the phone column and maps the category "Giảng viên" explicitly.
    phone = next(i for i, c in enumerate(columns) if c["field"] == "so_dien_thoai")
    post[f"column-{phone}"] = ""
    values = job.analysis["values"]["doi_tuong"]
    for j, v in enumerate(values):
        post[f"value-doi_tuong-{j}"] = v["value"]
    post["profile_name"] = "Sổ của văn phòng"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interchange:mapping", args=[job.pk]), post)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.profile_name == "Sổ của văn phòng"
    assert job.mapping["columns"]["Số điện thoại"] == ""
    profile = ImportProfile.objects.get()
    assert (profile.org, profile.name) == (tree["uni"], "Sổ của văn phòng")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interchange:run", args=[job.pk]), {"action": "import"})
    assert Member.objects.count() == 4
    assert set(Member.objects.values_list("phone", flat=True)) == {""}


def test_upload_with_a_profile_checks_at_once(staff, django_capture_on_commit_callbacks) -> None:
    client = _client(staff)
    _upload(
        client,
        "09-danh-sach-truong.xlsx",
        django_capture_on_commit_callbacks,
        profile="members::Danh sách đảng viên của trường",
    )
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED, job.problems
    assert job.profile_name == "Danh sách đảng viên của trường"


def test_a_file_with_a_known_header_gets_the_profile_offered(
    staff, django_capture_on_commit_callbacks
) -> None:
    client = _client(staff)
    _upload(client, "09-danh-sach-truong.xlsx", django_capture_on_commit_callbacks)
    job = _check(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    assert job.profile_name == "Danh sách đảng viên của trường"
    assert (
        "Mẫu ghép đang dùng: «Danh sách đảng viên của trường»"
        in client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    )


def test_the_mapping_step_is_the_uploaders_only(
    staff, tree, django_capture_on_commit_callbacks
) -> None:
    client = _client(staff)
    _upload(client, "01-mau-chibo.xlsx", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    other = _client(f.user("khac", Role.GRASSROOTS_STAFF, tree["uni"]))
    assert other.get(reverse("interchange:mapping", args=[job.pk])).status_code == 404
    # Before a check there is nothing to map: back to the job page.
    response = client.get(reverse("interchange:mapping", args=[job.pk]))
    assert response.status_code == 302 and response.url.endswith(f"/interchange/jobs/{job.pk}/")


def test_many_allowed_values_get_a_text_field_with_suggestions(
    staff, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A city office's hundreds of cells: no select of every cell for each value."""
    from chibo.interchange import views_mapping

    monkeypatch.setattr(views_mapping, "LONG_CHOICES", 1)
    client = _client(staff)
    _upload(client, "05-gia-tri-rieng.xlsx", django_capture_on_commit_callbacks)
    job = _check(client, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    page = client.get(reverse("interchange:mapping", args=[job.pk])).content.decode()
    assert '<datalist id="choices-ma_to_chuc">' in page
    assert 'list="choices-ma_to_chuc"' in page and 'value="BK-SV1"' in page
