"""The transfer letter as a Party document: issued by the member's grassroots level as the tree
stood on its date, addressed to the receiving organization, numbered as a GGT in its register
and term (the number recorded on the letter kept when it fits); opened back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from chibo.directives.models import CommitteeTerm, Document
from chibo.lib.partydoc import read_back
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories

pytestmark = pytest.mark.django_db


def _client(name: str, role: str, org: Org) -> Client:
    client = Client()
    client.force_login(factories.user(name, role, org))
    return client


def test_the_letter_is_the_grassroots_committees_document(
    tree: dict[str, Org], student: Member
) -> None:
    CommitteeTerm.objects.create(org=tree["uni"], name="2025–2030", starts_on=dt.date(2025, 6, 1))
    event = member_services.member_transfer_out(
        actor=None,
        member=student,
        effective_date=dt.date(2026, 9, 1),
        destination_org=tree["school"],
        decision=member_services.Decision(number="30-QĐ/ĐU"),
    )
    staff = _client("staff", "grassroots_staff", tree["uni"])
    url = f"/activity/transfers/{event.pk}/letter/"
    staff.post(url, {"number": "25-GGT/ĐU", "issued_on": "02/09/2026"})
    unregistered = read_back(staff.get(f"{url}docx/").content)
    assert (
        unregistered.symbol_line == "Số 25-GGT/ĐU"
    )  # the number recorded, not yet in the register
    response = staff.post(f"{url}docx/", {"signer": "Phạm Văn Bình", "signer_title": "PHÓ BÍ THƯ"})
    assert response.status_code == 302
    entry = Document.objects.get(source=f"activity.transfer:{event.pk}")
    assert entry.symbol == "25-GGT/ĐU" and entry.org == tree["uni"]
    back = read_back(staff.get(f"{url}docx/").content)
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 25-GGT/ĐU"
    assert back.date_line == "TP. Hồ Chí Minh, ngày 02 tháng 09 năm 2026"
    assert "GIẤY GIỚI THIỆU" in back.paragraphs and "Sinh hoạt đảng chính thức" in back.paragraphs
    assert back.to == [tree["school"].name]
    assert back.signature == ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Phạm Văn Bình"]
    assert back.recipients == ["- Như trên,", "- Lưu Văn phòng Đảng ủy."]
    assert "Đảng phí đã đóng đến hết tháng 10/2026." in back.text
    assert "[số lý lịch]" in back.text  # what chibo does not know is a marked field
    # The API: the same file; a second registration returns the same entry.
    api = staff.get(f"/api/v1/activity/transfers/{event.pk}/letter/docx")
    assert api.status_code == 200 and read_back(api.content).symbol_line == "Số 25-GGT/ĐU"
    again = staff.post(
        f"/api/v1/activity/transfers/{event.pk}/letter/register",
        json.dumps({}),
        content_type="application/json",
    )
    assert again.status_code == 201 and again.json()["symbol"] == "25-GGT/ĐU"
    # The receiving side reads it; an outsider does not.
    assert _client("recv", "cell_secretary", tree["school"]).get(f"{url}docx/").status_code == 200
    assert _client("far", "cell_secretary", tree["ward"]).get(f"{url}docx/").status_code == 404
