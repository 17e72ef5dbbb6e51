"""Every API list that can grow large answers keyset pages: ``{"items": [...], "next": cursor}``,
``?limit=`` (1–200) and ``?cursor=`` (docs/api.md, "Pagination"). Walked at the page
boundaries on the demo data, against the database's own order."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import DateField, Value
from django.db.models.functions import Coalesce

from chibo.accounts.tokens import token_create
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _expected(path: str, user: Any) -> list[int]:
    """The ids the list must give, in order, straight from the selectors."""
    import datetime as dt

    from chibo.admissions.models import CLOSED
    from chibo.admissions.selectors import candidates_for
    from chibo.directives.selectors import DocumentFilter, document_search
    from chibo.oversight.selectors import cases_for, inspections_for
    from chibo.training.selectors import courses_for

    if path == "/candidates":
        qs = candidates_for(user).exclude(stage__in=CLOSED)
        last = Value(dt.date(9999, 12, 31), output_field=DateField())
        qs = qs.annotate(due=Coalesce("next_due", last)).order_by("due", "name_folded", "id")
    elif path == "/directives/documents":
        qs = document_search(user, DocumentFilter()).order_by("-issued_on", "-id")
    elif path == "/oversight/inspections":
        qs = inspections_for(user).order_by("-year", "starts_on", "id")
    elif path == "/oversight/discipline":
        qs = cases_for(user).order_by("-opened_on", "-id")
    else:
        qs = courses_for(user).order_by("-starts_on", "id")
    return list(qs.values_list("id", flat=True))


def _walk(api: Api, path: str, limit: int) -> tuple[list[int], list[int]]:
    """(ids in the order served, the size of each page)."""
    ids: list[int] = []
    sizes: list[int] = []
    cursor = ""
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = api.get(path, **params)
        assert response.status_code == 200, response.content
        page = response.json()
        ids += [row["id"] for row in page["items"]]
        sizes.append(len(page["items"]))
        if page["next"] is None:
            return ids, sizes
        cursor = page["next"]


LISTS = [
    "/candidates",
    "/directives/documents",
    "/oversight/inspections",
    "/oversight/discipline",
    "/training/courses",
]


def test_every_large_list_pages_by_keyset_at_its_boundaries() -> None:
    call_command("seed-demo", members=300, seed=2023, stdout=io.StringIO())
    user = User.objects.get(username="vanphong")  # the city office: every row of the demo
    _token, raw = token_create(actor=None, user=user)
    api = Api(raw)
    for path in LISTS:
        expected = _expected(path, user)
        total = len(expected)
        assert total >= 3, (path, total)  # the demo has rows enough to page
        # Three rows a page: the same rows, in the database's order, none twice.
        ids, sizes = _walk(api, path, 3)
        assert ids == expected, path
        assert all(size == 3 for size in sizes[:-1]) and 1 <= sizes[-1] <= 3, (path, sizes)
        # A page exactly as long as the list: one page, no next.
        if total <= 200:
            assert _walk(api, path, total) == (expected, [total]), path
            # One row fewer: the next page holds exactly the last row.
            assert _walk(api, path, total - 1) == (expected, [total - 1, 1]), path
        # A cursor that is not one of ours: 422 on `cursor`, never a 500.
        forged = base64.urlsafe_b64encode(json.dumps(["x", "y", "z"]).encode()).decode()
        for bad in ("not-a-cursor", forged.rstrip("=")):
            response = api.get(path, cursor=bad)
            assert response.status_code == 422, (path, bad, response.content)
            assert response.json()["error"]["fields"]["cursor"], path


def test_a_row_added_meanwhile_never_shifts_the_pages(world: dict) -> None:
    """Offsets repeat a row when one is added before it; the keyset does not."""
    import datetime as dt

    from chibo.training.models import Course

    staff = Api(token_create(actor=None, user=world["users"]["uni"])[1])
    organizer = world["tree"]["uni"].code
    for day in (1, 2, 3, 4):
        created = staff.post(
            "/training/courses",
            {
                "kind": "new_member",
                "title": f"Lớp {day}",
                "organizer": organizer,
                "starts_on": f"2026-05-0{day}",
                "ends_on": f"2026-05-0{day}",
            },
        )
        assert created.status_code == 201, created.content
    first = staff.get("/training/courses", limit=2).json()
    newest = Course.objects.get(title="Lớp 4")
    Course.objects.create(
        kind=newest.kind,
        title="Lớp mới",
        organizer=newest.organizer,
        starts_on=dt.date(2026, 6, 1),  # sorts first: before the cursor
        ends_on=dt.date(2026, 6, 1),
    )
    second = staff.get("/training/courses", limit=2, cursor=first["next"]).json()
    titles = [c["title"] for c in first["items"] + second["items"]]
    assert titles == ["Lớp 4", "Lớp 3", "Lớp 2", "Lớp 1"] and second["next"] is None
