"""Committee terms (nhiệm kỳ): declared in the UI, the API and `chibo term add|list`, audited;
a missing term is a clear path (a link to declare it), not a dead end."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.directives.models import CommitteeTerm, Document
from chibo.orgs.models import Org
from tests.directives.conftest import login, quick_user

pytestmark = pytest.mark.django_db


def test_command_adds_and_lists_terms(t: dict[str, Org]) -> None:
    out = io.StringIO()
    call_command(
        "term",
        "add",
        "BK",
        "--starts",
        "01/06/2020",
        "--ends",
        "31/05/2025",
        "--congress",
        "Đại hội đại biểu lần thứ XX",
        stdout=out,
    )
    assert "Đã khai báo nhiệm kỳ 2020–2025" in out.getvalue()
    call_command("term", "add", "BK", "--starts", "2025-06-01", "--name", "2025–2030", stdout=out)
    listing = io.StringIO()
    call_command("term", "list", "BK", stdout=listing)
    lines = listing.getvalue().splitlines()
    assert lines == [
        "2020–2025\t01/06/2020 – 31/05/2025 — Đại hội đại biểu lần thứ XX",
        "2025–2030\t01/06/2025 – …",
    ]
    entry = AuditEntry.objects.filter(action="directives.term_create").last()
    assert entry.data["org"] == "BK" and entry.actor_id is None
    with pytest.raises(CommandError, match="trùng"):
        call_command("term", "add", "BK", "--starts", "01/01/2024")
    with pytest.raises(CommandError, match="Không có tổ chức"):
        call_command("term", "list", "XX")
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("term", "add", "BK", "--starts", "ngày mai")


def test_api_lists_and_declares_terms(t: dict[str, Org]) -> None:
    staff = login(quick_user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    body = {"org": "BK", "congress": "Đại hội lần thứ XXI", "starts_on": "2025-06-01"}
    response = staff.post(
        "/api/v1/directives/terms", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["name"] == "2025–2030"
        and response.json()["congress"] == "Đại hội lần thứ XXI"
    )
    assert [r["org"] for r in staff.get("/api/v1/directives/terms").json()["items"]] == ["BK"]
    clash = staff.post(
        "/api/v1/directives/terms",
        json.dumps({**body, "starts_on": "2026-01-01"}),
        content_type="application/json",
    )
    assert clash.status_code == 422
    outside = login(quick_user("q1", Role.SUPERIOR_STAFF, t["district"]))
    other = outside.post(
        "/api/v1/directives/terms", json.dumps(body), content_type="application/json"
    )
    assert other.status_code == 404
    viewer = login(quick_user("xem", Role.VIEWER, t["city"]))
    assert viewer.get("/api/v1/directives/terms").status_code == 403


def test_missing_term_leads_to_the_terms_page_and_back(t: dict[str, Org]) -> None:
    staff = login(quick_user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    data = {
        "org": t["uni"].pk,
        "issuing_unit": "committee",
        "doc_type": "CV",
        "title": "Về triển khai Công văn số 1000-CV/TU",
        "issued_on": "20/06/2024",
        "urgency": "normal",
        "confidentiality": "normal",
        "signer_title": "BÍ THƯ",
        "signer": "Phạm Văn Bình",
    }
    page = staff.post(reverse("directives:outgoing"), data)
    body = page.content.decode()
    assert page.status_code == 200 and not Document.objects.exists()
    link = f"{reverse('directives:terms')}?org=BK"
    assert link in body  # a link to declare the term, not a dead end
    terms_page = staff.get(link)
    assert terms_page.status_code == 200 and 'value="BK"' in terms_page.content.decode()
    saved = staff.post(
        reverse("directives:terms"),
        {"org": "BK", "name": "2020–2025", "starts_on": "01/06/2020", "ends_on": "31/05/2025"},
    )
    assert saved.status_code == 302 and CommitteeTerm.objects.filter(org=t["uni"]).count() == 1
    again = staff.post(reverse("directives:outgoing"), data)
    assert again.status_code == 302 and Document.objects.get().symbol == "01-CV/ĐU"


def test_terms_page_inside_outside_viewer(t: dict[str, Org], office_user: Any) -> None:
    assert login(office_user).get(reverse("directives:terms")).status_code == 200
    viewer = login(quick_user("xem2", Role.VIEWER, t["city"]))
    assert viewer.get(reverse("directives:terms")).status_code == 403
    outside = login(quick_user("q1b", Role.SUPERIOR_STAFF, t["district"]))
    response = outside.post(
        reverse("directives:terms"), {"org": "TU", "name": "x", "starts_on": "01/01/2031"}
    )
    assert response.status_code == 200 and "TU" in response.content.decode()
    assert not CommitteeTerm.objects.filter(starts_on=dt.date(2031, 1, 1)).exists()
