"""No lost updates: two clients edit the same candidate / progress report; the stale save is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from chibo.admissions.models import Candidate, Stage
from chibo.core.roles import Role
from chibo.directives import services as dir_services
from chibo.directives.models import ProgressReport, Recurrence
from tests import factories as f
from tests.security.conftest import full_member

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_candidate_step_from_a_stale_form_is_refused_showing_the_other_change(tree: dict) -> None:
    mentor = full_member(tree["cell_a"], "DV-M")
    cand = f.candidate(tree["cell_a"], mentor)
    a = f.user("sec1", Role.CELL_SECRETARY, tree["cell_a"])
    b = f.user("sec2", Role.CELL_SECRETARY, tree["cell_a"])
    a.first_name, a.last_name = "Trần Thị", "Mai"
    a.save()
    first, second = _client(a), _client(b)
    url = reverse("admissions:step", args=[cand.pk, Stage.COURSE])
    # Both open the form (same version), then both save.
    v1 = first.get(url).context["form"]["version"].value()
    v2 = second.get(url).context["form"]["version"].value()
    assert v1 == v2 == cand.version
    data = {"done_on": "15/10/2024", "document_number": "77/GCN", "cert_issuer": "TTCT"}
    assert first.post(url, {**data, "version": v1}).status_code == 302
    refused = second.post(url, {**data, "document_number": "78/GCN", "version": v2})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Trần Thị Mai" in text  # who changed it
    cand.refresh_from_db()
    assert (
        cand.stage == Stage.COURSE
        and cand.steps.get(stage=Stage.COURSE).document_number == "77/GCN"
    )


def test_candidate_step_api_refuses_a_stale_expected_version(tree: dict) -> None:
    from chibo.accounts.tokens import token_create

    cand = f.candidate(tree["cell_a"], full_member(tree["cell_a"], "DV-M"))
    sec = f.user("sec1", Role.CELL_SECRETARY, tree["cell_a"])
    _t, raw = token_create(actor=None, user=sec, expires_days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = Client().get(f"/api/v1/candidates/{cand.pk}", **auth)
    assert body.status_code == 200, body.content
    version = body.json()["version"]
    step = {
        "done_on": "2024-10-15",
        "document_number": "1/GCN",
        "data": {"cert_number": "1/GCN", "cert_issuer": "TT"},
        "expected_version": version,
    }
    url = f"/api/v1/candidates/{cand.pk}/steps/{Stage.COURSE}"
    ok = Client().post(url, step, content_type="application/json", **auth)
    assert ok.status_code in (200, 201), ok.content
    stale = Client().post(
        url.replace(Stage.COURSE, Stage.APPLICATION),
        {**step, "done_on": "2024-11-01", "data": {}},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 422
    assert Candidate.objects.get(pk=cand.pk).stage == Stage.COURSE


def _assignment(tree: dict):
    doc = dir_services.document_register_incoming(
        actor=None,
        org=tree["city"],
        symbol="1000-CV/TU",
        issuing_org=tree["city"],
        title="Về tăng cường công tác xây dựng Đảng",
        issuing_body="Ban Thường vụ Thành ủy",
        issued_on=dt.date(2023, 6, 16),
        incoming_number="398",
        recipients=[dir_services.RecipientIn("Đảng ủy Khối", 2, tree["khoi"])],
        cites=[],
    )
    task = dir_services.task_create(
        actor=None,
        document=doc,
        section="1",
        title="Báo cáo",
        recurrence=Recurrence.SEMIANNUAL,
        report_due_days=10,
        orgs=[tree["khoi"]],
        named_units=[],
    )
    return task.assignments.get(org=tree["khoi"])


def test_progress_report_second_save_from_a_stale_version_is_refused(tree: dict) -> None:
    a = _assignment(tree)
    u1 = f.user("khoi1", Role.SUPERIOR_STAFF, tree["khoi"])
    u2 = f.user("khoi2", Role.SUPERIOR_STAFF, tree["khoi"])
    c1, c2 = _client(u1), _client(u2)
    url = reverse("directives:report", args=[a.pk, "2024-H1"])
    v1 = c1.get(url).context["form"]["version"].value()
    v2 = c2.get(url).context["form"]["version"].value()
    assert v1 == v2 == 0  # nobody has written it yet
    assert (
        c1.post(url, {"text": "Bản của người thứ nhất", "figures": "", "version": v1}).status_code
        == 302
    )
    refused = c2.post(url, {"text": "Bản của người thứ hai", "figures": "", "version": v2})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "khoi1" in page and "Bản của người thứ nhất" in page
    report = ProgressReport.objects.get()
    assert report.text == "Bản của người thứ nhất" and report.version == 1
    # Reloading gives the current version; then the save goes through.
    v = c2.get(url).context["form"]["version"].value()
    assert c2.post(url, {"text": "Bản đã gộp", "figures": "", "version": v}).status_code == 302
    report.refresh_from_db()
    assert report.text == "Bản đã gộp" and report.version == 2


def test_progress_report_api_expected_version(tree: dict) -> None:
    a = _assignment(tree)
    u1 = f.user("khoi1", Role.SUPERIOR_STAFF, tree["khoi"])
    r1 = dir_services.report_save(
        actor=u1, assignment=a, period="2024-H1", text="một", expected_version=0
    )
    with pytest.raises(Exception, match=r"khoi1|Someone|một"):
        dir_services.report_save(
            actor=u1, assignment=a, period="2024-H1", text="hai", expected_version=0
        )
    r2 = dir_services.report_save(
        actor=u1, assignment=a, period="2024-H1", text="hai", expected_version=r1.version
    )
    assert r2.version == 2 and r2.text == "hai"
