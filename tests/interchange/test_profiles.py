"""Issue 23: mapping profiles: saved per org, offered by header, shipped, exported and imported."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.interchange import profiles
from chibo.interchange.mapping import Mapping, MappingError
from chibo.interchange.models import ImportProfile
from chibo.interchange.services import analyse_file
from chibo.members.models import Member
from tests import factories as f
from tests.interchange.test_mapping_files import EXPECTED, FILES, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are compared in Vietnamese, whatever an earlier test activated in this thread."""
    from django.utils import translation

    with translation.override("vi"):
        yield


SCHOOL = "Danh sách đảng viên của trường"
TEMPLATE = "Mẫu nhập của chibo"


def test_two_profiles_ship_with_chibo() -> None:
    shipped = {p.name: p for p in profiles.shipped()}
    assert set(shipped) == {SCHOOL, TEMPLATE}
    assert all(p.kind == "members" and p.shipped for p in shipped.values())


@pytest.mark.parametrize(
    ("profile", "name"),
    [(SCHOOL, "09-danh-sach-truong.xlsx"), (TEMPLATE, "01-mau-chibo.xlsx")],
)
def test_each_shipped_profile_imports_its_layout(tree, profile, name, capsys) -> None:
    call_command("import", "members", str(FILES / name), "--profile", profile)
    assert f"Mẫu ghép: {profile}" in capsys.readouterr().out
    assert state() == EXPECTED


def test_profile_names_are_matched_loosely_and_unknown_ones_listed(tree) -> None:
    assert profiles.find(None, "danh-sach-dang-vien-cua-truong").name == SCHOOL
    with pytest.raises(MappingError, match="Không có mẫu ghép nào tên «khong co»"):
        profiles.find(None, "khong co")


def test_offered_for_a_file_with_the_same_header(tree) -> None:
    analysis = analyse_file(FILES / "09-danh-sach-truong.xlsx", "members", None, None)
    headers = [c.header for c in analysis.plan.columns]
    assert profiles.offer(None, "members", headers).name == SCHOOL
    assert profiles.offer(None, "members", ["Họ và tên", "Quê quán"]) is None


def test_saved_in_the_users_org_visible_below_and_above_not_beside(tree) -> None:
    secretary = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    other = f.user("bithu2", Role.CELL_SECRETARY, tree["school"])
    mapping = Mapping("members", columns={"Số hiệu": "ma_dang_vien"})
    assert profiles.home_org(secretary, "members") == tree["cell_a"]
    profiles.save(actor=secretary, org=tree["cell_a"], name="Sổ chi bộ", mapping=mapping)
    assert AuditEntry.objects.filter(action="interchange.profile_save").count() == 1
    assert "Sổ chi bộ" in [p.name for p in profiles.visible(secretary, "members")]
    assert "Sổ chi bộ" not in [p.name for p in profiles.visible(other, "members")]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        profiles.save(actor=other, org=tree["cell_a"], name="X", mapping=mapping)


def test_a_city_ships_a_profile_to_its_schools(tree, tmp_path, capsys) -> None:
    """export from one org, import into another: the schools below see it."""
    school_user = f.user("bithu", Role.CELL_SECRETARY, tree["school"])
    out = tmp_path / "mau.json"
    call_command("import-profile", "export", SCHOOL, "--output", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "chibo-import-mapping/1" and data["name"] == SCHOOL
    data["columns"]["Số hiệu"] = "ma_dang_vien"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command(
        "import-profile", "import", str(out), "--org", "TU", "--name", "Danh sách của Thành ủy"
    )
    row = ImportProfile.objects.get()
    assert (row.org.code, row.kind, row.name) == ("TU", "members", "Danh sách của Thành ủy")
    assert "Danh sách của Thành ủy" in [p.name for p in profiles.visible(school_user, "members")]
    capsys.readouterr()
    call_command("import-profile", "list", "--user", "bithu")
    listed = capsys.readouterr().out
    assert "Danh sách của Thành ủy\tmembers\tTU — Thành ủy Thành phố Hồ Chí Minh" in listed
    assert f"{SCHOOL}\tmembers\tcó sẵn trong chibo" in listed
    call_command("import-profile", "show", "Danh sách của Thành ủy")
    assert json.loads(capsys.readouterr().out)["columns"]["Số hiệu"] == "ma_dang_vien"
    call_command(
        "import",
        "members",
        str(FILES / "09-danh-sach-truong.xlsx"),
        "--profile",
        "Danh sách của Thành ủy",
    )
    assert Member.objects.count() == 4


def test_a_bad_profile_file_is_refused(tree, tmp_path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"kind": "members", "columns": {"A": "khong_co"}}), encoding="utf-8")
    with pytest.raises(CommandError, match="Trường «khong_co» của cột «A» không tồn tại"):
        call_command("import-profile", "import", str(bad), "--org", "TU")
    assert ImportProfile.objects.count() == 0
