"""The load test's writes (bench/locustfile.py) are saved by the real forms.

`make load-test` measures a working day against a server; a write its forms refuse counts
as an error in the measured run (and a day of refused writes measures nothing). Here the
same accounts, sessions and records (bench/load_users.py) and the same fields
(bench/load_forms.py) go through the pages with Django's client, CSRF enforced: every
write must be saved.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from bench import load_forms as forms
from chibo.activity.models import Attendance, DuesPayment
from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.core.roles import Role
from chibo.directives.models import ProgressReport
from chibo.members.models import Member, Status

pytestmark = pytest.mark.django_db(transaction=False)


class Browser:
    """One signed-in session: reads a form's page, then posts it as the load test does."""

    def __init__(self, key: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.cookies[settings.SESSION_COOKIE_NAME] = key

    def page(self, url: str) -> str:
        answer = self.client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        return answer.content.decode()

    def post(self, url: str, data: dict[str, Any], page: str = "", htmx: bool = False) -> str:
        fields = dict(forms.hidden(page))
        fields.update(data)
        headers = {"X-CSRFToken": self.client.cookies["csrftoken"].value}
        if htmx:
            headers["HX-Request"] = "true"
        answer = self.client.post(url, fields, headers=headers)
        text = answer.content.decode()
        location = answer.headers.get("Location", "")
        assert forms.refused(answer.status_code, text, location, htmx=htmx) is None, (
            url,
            forms.refused(answer.status_code, text, location, htmx=htmx),
        )
        return location


def test_every_write_of_the_working_day_is_saved_by_its_form() -> None:
    call_command("seed-demo", "--members", "300", stdout=io.StringIO())
    from bench import load_users

    people = load_users.accounts()
    work = load_users.Work()
    secretary, cell = next((u, o) for u, o in people if u.username.startswith("loadc"))
    mine = work.for_session(Role.CELL_SECRETARY, cell)
    me = Browser(load_users.new_session(secretary))

    # The attendance row (the sheet's htmx form).
    meeting, code = mine["meeting"], mine["roster"][0]
    me.page(f"/activity/meetings/{meeting}/")
    me.post(
        f"/activity/meetings/{meeting}/attendance/{code}/",
        forms.attendance_data(code, "unexcused"),
        htmx=True,
    )
    assert Attendance.objects.get(meeting_id=meeting, member__member_code=code).status == (
        "unexcused"
    )

    # A dues payment (the dues form).
    member, month, amount = mine["dues"][0]
    url = f"/activity/dues/?org={cell.code}"
    before = DuesPayment.objects.filter(member__member_code=member).count()
    me.post(url, forms.dues_data(member, month, amount), me.page(url))
    assert DuesPayment.objects.filter(member__member_code=member).count() == before + 1

    # A member exempted, then back (the event forms).
    who = mine["event_member"]
    for kind, status in (("exempted", Status.EXEMPTED), ("exemption_ended", Status.ACTIVE)):
        url = f"/members/{who}/events/{kind}/"
        me.post(url, forms.event_data(kind), me.page(url))
        assert Member.objects.get(member_code=who).status == status

    # A candidate registered, then the awareness course (the admission forms).
    where = me.post(
        "/admissions/new/",
        forms.candidate_data(cell.code, mine["mentor"]),
        me.page("/admissions/new/"),
    )
    candidate = int(re.search(r"/admissions/(\d+)/", where).group(1))
    assert Candidate.objects.filter(pk=candidate, org=cell).exists()
    url = f"/admissions/{candidate}/step/course/"
    me.post(url, forms.course_data(), me.page(url))
    assert CandidateStep.objects.filter(candidate_id=candidate, stage=Stage.COURSE).exists()

    # A grassroots committee's directive report saved as a draft.
    staff, committee = next((u, o) for u, o in people if u.username.startswith("loadg"))
    report = work.for_session(Role.GRASSROOTS_STAFF, committee)["report"]
    them = Browser(load_users.new_session(staff))
    url = f"/directives/assignments/{report['assignment']}/report/{report['period']}/"
    them.post(url, forms.directive_data(), them.page(url))
    assert ProgressReport.objects.filter(
        assignment_id=report["assignment"], period=report["period"]
    ).exists()


def test_a_refused_form_says_why() -> None:
    page = (
        '<div class="form-errors" role="alert"><p>Vui lòng sửa các ô được đánh dấu màu đỏ.</p>'
        '</div><small class="field-error" id="id_criterion_error">Trường này là bắt buộc.</small>'
    )
    assert forms.refused(200, page, "", htmx=False) == "200 Trường này là bắt buộc."
    assert forms.refused(302, "", "/members/X/", htmx=False) is None
    assert forms.refused(200, "<tr>row</tr>", "", htmx=True) is None
    assert forms.refused(403, "", "", htmx=True) == "403"
