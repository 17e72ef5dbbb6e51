"""The HD 36 abbreviation of an org: defaults by type, editable in the UI and the API, audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.orgs import letterhead
from chibo.orgs.models import Org, OrgKind
from tests import factories as f

pytestmark = pytest.mark.django_db


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "kind", "abbreviation"),
    [
        ("Thành ủy Thành phố Hồ Chí Minh", OrgKind.CITY_COMMITTEE, "TU"),
        ("Đảng ủy Khối Dân - Chính - Đảng Thành phố", OrgKind.DIRECT_COMMITTEE, "ĐUK"),
        ("Quận ủy Quận 1", OrgKind.DIRECT_COMMITTEE, "QU"),
        ("Huyện ủy Củ Chi", OrgKind.DIRECT_COMMITTEE, "HU"),
        ("Thành ủy Thủ Đức", OrgKind.DIRECT_COMMITTEE, "TU"),
        ("Đảng ủy Sở Giáo dục và Đào tạo", OrgKind.DIRECT_COMMITTEE, "ĐU"),
        ("Đảng bộ Trường Đại học Sư phạm", OrgKind.GRASSROOTS_COMMITTEE, "ĐU"),
        ("Chi bộ Trường THPT Lê Quý Đôn", OrgKind.GRASSROOTS_CELL, "CB"),
        ("Chi bộ Sinh viên Khoa Toán", OrgKind.SUBORDINATE_CELL, "CB"),
    ],
)
def test_defaults_by_type(name: str, kind: str, abbreviation: str) -> None:
    assert letterhead.default_abbreviation(name, kind) == abbreviation


@pytest.mark.parametrize(
    ("name", "kind", "committee", "organization"),
    [
        (
            "Đảng bộ Trường Đại học X",
            OrgKind.GRASSROOTS_COMMITTEE,
            "Đảng ủy Trường Đại học X",
            "Đảng bộ Trường Đại học X",
        ),
        ("Quận ủy Quận 1", OrgKind.DIRECT_COMMITTEE, "Quận ủy Quận 1", "Đảng bộ Quận 1"),
        (
            "Quận ủy Bình Thạnh",
            OrgKind.DIRECT_COMMITTEE,
            "Quận ủy Bình Thạnh",
            "Đảng bộ quận Bình Thạnh",
        ),
        (
            "Thành ủy Thủ Đức",
            OrgKind.DIRECT_COMMITTEE,
            "Thành ủy Thủ Đức",
            "Đảng bộ thành phố Thủ Đức",
        ),
        (
            "Thành ủy Thành phố Hồ Chí Minh",
            OrgKind.CITY_COMMITTEE,
            "Thành ủy Thành phố Hồ Chí Minh",
            "Đảng bộ Thành phố Hồ Chí Minh",
        ),
        (
            "Trường Tiểu học An Khánh",
            OrgKind.GRASSROOTS_CELL,
            "Chi bộ Trường Tiểu học An Khánh",
            "Chi bộ Trường Tiểu học An Khánh",
        ),
    ],
)
def test_committee_and_organization_names(
    name: str, kind: str, committee: str, organization: str
) -> None:
    assert letterhead.committee_form(name, kind) == committee
    assert letterhead.organization_form(name, kind) == organization


def test_ui_edits_it_inside_only_and_audits(db: None) -> None:
    t = f.tree()
    url = reverse("orgs:abbreviation", args=["BK"])
    staff = login(f.user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    page = login(f.user("vp", Role.CITY_OFFICE, t["city"])).get(reverse("orgs:detail", args=["BK"]))
    assert "Ký hiệu văn bản" in page.content.decode() and url in page.content.decode()
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"abbreviation": "ĐUBK"}).status_code == 302
    assert Org.objects.get(code="BK").abbreviation == "ĐUBK"
    entry = AuditEntry.objects.get(action="orgs.abbreviation")
    assert entry.data == {"from": "ĐU", "to": "ĐUBK"}
    bad = staff.post(url, {"abbreviation": "ĐU/BK"})
    assert bad.status_code == 200 and Org.objects.get(code="BK").abbreviation == "ĐUBK"
    assert login(f.user("q1", Role.SUPERIOR_STAFF, t["district"])).get(url).status_code == 404
    assert login(f.user("xem", Role.VIEWER, t["city"])).get(url).status_code == 403


def test_api_shows_and_sets_it(db: None) -> None:
    t = f.tree()
    staff = login(f.user("khoi", Role.SUPERIOR_STAFF, t["khoi"]))
    assert staff.get("/api/v1/orgs/KDHCD").json()["abbreviation"] == "ĐUK"
    response = staff.post(
        "/api/v1/orgs/BK/abbreviation",
        json.dumps({"abbreviation": "ĐUBK"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["abbreviation"] == "ĐUBK"
    bad = staff.post(
        "/api/v1/orgs/BK/abbreviation",
        json.dumps({"abbreviation": "1X"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    viewer = login(f.user("xem", Role.VIEWER, t["city"]))
    denied = viewer.post(
        "/api/v1/orgs/BK/abbreviation",
        json.dumps({"abbreviation": "ĐU"}),
        content_type="application/json",
    )
    assert denied.status_code == 403
