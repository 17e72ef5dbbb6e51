"""Pager and filter links of the paged lists keep one ``?``.

Django 5.2's ``{% querystring %}`` returns the query with its leading ``?``;
a template that writes ``href="?{% querystring … %}"`` produces ``??page=2``,
which the server reads as a parameter named ``?page``: "next page" showed
page 1 again and the stage chips on /admissions/ filtered nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chibo.admissions import services as admission_services
from chibo.admissions.models import Stage
from chibo.core.roles import Role
from chibo.members.models import Category
from tests import factories as f

CHIBO = Path(__file__).resolve().parents[1] / "chibo"


def test_no_template_puts_a_question_mark_before_querystring() -> None:
    offenders = []
    for path in sorted(CHIBO.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\?\s*\{%-?\s*querystring\b", text):
            offenders.append(str(path.relative_to(CHIBO.parent)))
    assert offenders == []


def _hrefs(html: str, text: str) -> list[str]:
    """The ``href`` of each link whose text contains ``text``."""
    return [
        unescape(href)
        for href, body in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
        if text in body
    ]


def _names(html: str, prefix: str) -> list[str]:
    return re.findall(rf'href="{prefix}[^"]*">([^<]+)</a>', html)


@pytest.fixture
def client_as() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def test_member_list_next_page_keeps_the_filter_and_moves_on(
    tree: dict, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chibo.members.views.PAGE_SIZE", 2)
    for name in ["An", "Bình", "Cường", "Dũng", "Em"]:
        f.member(tree["cell_a"], full_name=f"Nguyễn Văn {name}", category=Category.STUDENT)
    f.member(tree["cell_a"], full_name="Lê Thị Giảng", category=Category.LECTURER)
    client = client_as(f.user("sup", Role.SUPERIOR_STAFF, tree["city"]))

    first = client.get("/members/", {"category": Category.STUDENT}).content.decode()
    [next_href] = _hrefs(first, "›")
    assert next_href.startswith("?") and not next_href.startswith("??")
    assert "page=2" in next_href and "category=student" in next_href
    second = client.get("/members/" + next_href).content.decode()
    page_one, page_two = _names(first, "/members/DV"), _names(second, "/members/DV")
    assert len(page_one) == len(page_two) == 2
    assert not set(page_one) & set(page_two)
    assert "Lê Thị Giảng" not in second  # the filter holds on page 2


@pytest.fixture
def candidates(tree: dict) -> dict:
    from tests.admissions.conftest import full_member

    mentor = full_member(tree["cell_a"], "DV-M1", "Lê Văn Minh")
    made = [
        f.candidate(tree["cell_a"], mentor, full_name=name, registered_on=dt.date(2024, 9, 2))
        for name in ["Trần Thị An", "Trần Thị Bình", "Trần Thị Cúc", "Trần Thị Dung"]
    ]
    for c in made[:3]:
        admission_services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=Stage.COURSE,
            done_on=dt.date(2024, 10, 15),
            document_number="123/GCN",
            data={"cert_number": "123/GCN", "cert_issuer": "TTCT"},
        )
    return {"mentor": mentor, "candidates": made}


def test_admissions_stage_chip_and_pager_filter_and_page(
    tree: dict, candidates: dict, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chibo.admissions.views.lists.PAGE_SIZE", 2)
    client = client_as(f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]))
    board = client.get("/admissions/").content.decode()
    [chip] = [h for h in _hrefs(board, 'class="n"') if f"stage={Stage.COURSE}" in h]
    assert chip.startswith("?") and not chip.startswith("??")
    course = client.get("/admissions/" + chip).content.decode()
    names = _names(course, r"/admissions/\d+/")
    assert "Trần Thị Dung" not in course  # still a registered candidate: not at the course stage
    [next_href] = _hrefs(course, "›")
    assert not next_href.startswith("??") and f"stage={Stage.COURSE}" in next_href
    second = client.get("/admissions/" + next_href).content.decode()
    assert len(names) == 2
    assert _names(second, r"/admissions/\d+/") and not set(
        _names(second, r"/admissions/\d+/")
    ) & set(names)


def test_admissions_overdue_link_filters(tree: dict, candidates: dict, client_as: Any) -> None:
    from chibo.admissions.models import Candidate

    late = candidates["candidates"][3]
    Candidate.objects.filter(pk=late.pk).update(next_due=dt.date.today() - dt.timedelta(days=1))
    client = client_as(f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]))
    board = client.get("/admissions/").content.decode()
    [overdue] = [h for h in _hrefs(board, "") if "overdue=on" in h]
    assert not overdue.startswith("??")
    shown = client.get("/admissions/" + overdue).content.decode()
    assert _names(shown, r"/admissions/\d+/") == [late.full_name]


def test_directive_register_next_page_keeps_the_search(
    tree: dict, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chibo.directives import services

    monkeypatch.setattr("chibo.directives.views.registry.PAGE_SIZE", 2)
    for n, title in enumerate(
        [
            "Về phát triển đảng viên là sinh viên",
            "Về sinh hoạt chi bộ sinh viên",
            "Về đảng phí của sinh viên",
            "Về công tác kiểm tra",
        ],
        start=1,
    ):
        services.document_register_incoming(
            actor=None,
            org=tree["city"],
            symbol=f"{n}-CV/TU",
            title=title,
            issuing_body="Ban Thường vụ Thành ủy",
            issued_on=dt.date(2024, 1, n),
        )
    client = client_as(f.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    first = client.get("/directives/", {"q": "sinh vien"}).content.decode()
    [next_href] = _hrefs(first, "›")
    assert not next_href.startswith("??") and "q=sinh+vien" in next_href
    second = client.get("/directives/" + next_href).content.decode()
    symbols = re.findall(r'class="doc-symbol"[^>]*>([^<]+)<', first + second)
    assert sorted(symbols) == ["01-CV/TU", "02-CV/TU", "03-CV/TU"]
