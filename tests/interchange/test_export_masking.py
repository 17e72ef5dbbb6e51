"""Member exports follow the screen's masking (review: a viewer's export had full party card numbers).

Card number, citizen ID and phone are in an export only where the role has
``member.view_sensitive``; every export that carries them is audited as
sensitive. Through the web export, as the user downloads it, on both databases.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chibo.accounts.models import RoleAssignment
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.interchange.columns import header_key
from tests import factories as f

pytestmark = pytest.mark.django_db

SENSITIVE = ("so_the_dang", "so_cccd", "so_dien_thoai")
CARD_A, CARD_S = "79000123487", "79000456712"


@pytest.fixture
def members(tree):
    from chibo.members import services
    from chibo.members.models import Member

    a = f.member(tree["cell_a"], code="A1", citizen_id="079203001111", phone="0911111111")
    s = f.member(tree["school"], code="S1", citizen_id="079203002222", phone="0922222222")
    for member, card in ((a, CARD_A), (s, CARD_S)):
        services.member_issue_card(
            actor=None,
            member=Member.objects.get(pk=member.pk),
            effective_date=member.admitted_on,
            card_number=card,
            decision=services.Decision(number="1-QĐ/ĐU"),
        )
    return tree


def _export(user, fmt: str) -> tuple[list[str], list[dict[str, str]]]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("interchange:export"), {"kind": "members", "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
        ]
    header = [header_key(h) for h in rows[0]]  # "Số thẻ đảng" → so_the_dang
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("role", [Role.VIEWER, Role.CITY_OFFICE])
def test_masked_roles_get_no_sensitive_columns(members, fmt, role) -> None:
    user = f.user("masked", role, members["city"])
    header, rows = _export(user, fmt)
    assert {r["ma_dang_vien"] for r in rows} == {"A1", "S1"}
    assert not set(SENSITIVE) & set(header)
    flat = repr(rows)
    for secret in (CARD_A, CARD_S, "079203001111", "0911111111"):
        assert secret not in flat
    assert not AuditEntry.objects.filter(action="interchange.export_sensitive").exists()
    assert AuditEntry.objects.filter(action="interchange.export", actor=user).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_sensitive_columns_only_where_the_role_sees_them_and_audited(members, fmt) -> None:
    # Grassroots staff of the school (sees it unmasked) and viewer of the whole city.
    user = f.user("mixed", Role.VIEWER, members["city"])
    RoleAssignment.objects.create(user=user, role=Role.GRASSROOTS_STAFF, org=members["uni"])
    header, rows = _export(user, fmt)
    assert set(SENSITIVE) <= set(header)
    by_code = {r["ma_dang_vien"]: r for r in rows}
    assert by_code["A1"]["so_the_dang"] == CARD_A and by_code["A1"]["so_cccd"] == "079203001111"
    assert by_code["S1"]["so_the_dang"] == by_code["S1"]["so_cccd"] == ""  # outside his subtree
    assert by_code["S1"]["so_dien_thoai"] == ""
    entry = AuditEntry.objects.get(action="interchange.export_sensitive")
    assert entry.actor_id == user.pk and entry.data["members"] == ["A1"]
    assert entry.data["fields"] == list(SENSITIVE)
