"""Who may do what: the expected answer of each page and API operation to each role.

- Every URL of orgs/ and members/, with each role and anonymously, against the statuses
  written here by hand (``test_permission_matrix``). The URL list is walked from the
  URLconf, so a new view without a row here fails the completeness test.
- Every page and API operation of every app, with each demo account on the demo data,
  against docs/permission-matrix.md (``test_every_app_matrix``), plus the rules no answer
  may break.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chibo.core.roles import Role
from chibo.members import services
from chibo.members.demo import accounts as demo_accounts
from chibo.members.forms import EVENT_FORMS
from tests import factories as f

ROLES = [
    "cell_secretary",
    "grassroots_staff",
    "superior_staff",
    "city_office",
    "viewer",
    "sysadmin",
]

# Status per role, in the order of ROLES; anonymous is always a redirect to login.
VIEW = (200, 200, 200, 200, 200, 200)
RESTRUCTURE = (403, 200, 200, 403, 403, 403)
MEMBER_READ = (200, 200, 200, 200, 200, 403)
MEMBER_RECORD = (200, 200, 200, 200, 200, 404)  # sysadmin: personal data is not in its scope
MEMBER_WRITE = (200, 200, 200, 403, 403, 403)
MEMBER_RECORD_WRITE = (200, 200, 200, 403, 403, 404)
# Recording an admission made before chibo: the committees that decide admissions (issue 20).
ADMISSION_DECIDE = (403, 200, 200, 403, 403, 403)
# The document abbreviation: restructuring staff or whoever keeps the org's register.
ABBREVIATION = (200, 200, 200, 200, 403, 403)

# (url name, method, expected statuses); codes: org BK-SV1, member DV0001, incoming DV0002.
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "orgs:tree": ("GET", VIEW),
    "orgs:detail": ("GET", VIEW),
    "orgs:children": ("GET", VIEW),
    "orgs:move": ("GET", RESTRUCTURE),
    "orgs:merge": ("GET", RESTRUCTURE),
    "orgs:rename": ("GET", RESTRUCTURE),
    "orgs:close": ("GET", RESTRUCTURE),
    "orgs:new_child": ("GET", RESTRUCTURE),
    "orgs:abbreviation": ("GET", ABBREVIATION),
    "members:list": ("GET", MEMBER_READ),
    "members:pick": ("GET", MEMBER_READ),  # the person picker's search
    "members:admit": ("GET", MEMBER_WRITE),
    "members:past_admission": ("GET", ADMISSION_DECIDE),
    "members:receive": ("GET", MEMBER_WRITE),
    "members:incoming": ("GET", MEMBER_WRITE),
    "members:party_badges": ("GET", MEMBER_READ),  # the year's Huy hiệu Đảng milestones
    # an empty POST re-renders the list with the form's errors
    "members:arrive": ("POST", MEMBER_WRITE),
    "members:detail": ("GET", MEMBER_RECORD),
    "members:edit": ("GET", MEMBER_RECORD_WRITE),
    "members:event": ("GET", MEMBER_RECORD_WRITE),
}


def _url_names() -> set[str]:
    names = set()
    for namespace in ("orgs", "members"):
        _prefix, resolver = get_resolver().namespace_dict[namespace]
        names |= {f"{namespace}:{p.name}" for p in resolver.url_patterns}
    return names


def _urls(name: str) -> list[str]:
    if name in {
        "orgs:tree",
        "members:list",
        "members:pick",
        "members:admit",
        "members:past_admission",
        "members:receive",
        "members:incoming",
        "members:party_badges",
    }:
        return [reverse(name)]
    if name.startswith("orgs:"):
        return [reverse(name, args=["BK-SV1"])]
    if name == "members:arrive":
        return [reverse(name, args=["DV0002"])]
    if name == "members:event":
        return [reverse(name, args=["DV0001", kind]) for kind in EVENT_FORMS]
    return [reverse(name, args=["DV0001"])]


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    t = f.tree()
    f.member(t["cell_a"], code="DV0001")
    incoming = f.member(t["cell_b"], code="DV0002", full_name="Đặng Thị Hoa")
    services.member_transfer_out(
        actor=None,
        member=incoming,
        effective_date=dt.date(2025, 8, 1),
        decision=services.Decision(),
        destination_org=t["cell_a"],
    )
    where = {
        "cell_secretary": t["cell_a"],
        "grassroots_staff": t["uni"],
        "superior_staff": t["khoi"],
        "city_office": t["city"],
        "viewer": t["uni"],
        "sysadmin": t["city"],
    }
    out = {}
    for role in ROLES:
        client = Client()
        client.force_login(f.user(role, Role(role), where[role]))
        out[role] = client
    out["anonymous"] = Client()
    return out


def test_matrix_covers_every_url() -> None:
    assert _url_names() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name: str, clients: dict[str, Client]) -> None:
    method, expected = MATRIX[name]
    for url in _urls(name):
        got = []
        for role in ROLES:
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            got.append(response.status_code)
        assert tuple(got) == expected, f"{url}: {dict(zip(ROLES, got, strict=True))}"
        anon = clients["anonymous"].get(url) if method == "GET" else clients["anonymous"].post(url)
        assert anon.status_code == 302, url
        assert anon["Location"].startswith(reverse("accounts:login")), url


# --- every app: each demo role × each page and each API operation ----------------------
#
# The demo data (``chibo seed-demo``, 300 members) and its six accounts. Each page is
# opened (GET; a page that only takes POST is posted empty) and each API operation called
# with a body of the right types (the demo cell's real codes), every request rolled back,
# so one role's write never changes what the next role sees. The answers are the table in
# docs/permission-matrix.md: a change of who may do what fails here until that table is
# regenerated (CHIBO_WRITE_MATRIX=1) and reviewed. Rules every answer must keep, whatever
# the table says, are checked as well.

MATRIX_DOC = Path(__file__).resolve().parents[1] / "docs" / "permission-matrix.md"
DEMO = [account[0] for account in demo_accounts.ACCOUNTS]
NOT_CHECKED = {"accounts:login", "accounts:logout", "accounts:invite", "set_language"}
# What a path parameter named ``pk`` (or ``fid``) is, by the URL name's prefix.
PK = {
    "accounts:token": "token",
    "accounts:role_request": "role_request",
    "accounts:role": "role",
    "admissions:replace_introducer": "introducer_candidate",
    "admissions:": "candidate",
    "activity:": "meeting",
    "directives:assignment": "assignment",
    "directives:report": "assignment",
    "directives:review": "report",
    "directives:compiled_file": "compiled",
    "directives:": "document",
    "interchange:": "job",
    "oversight:case": "case",
    "oversight:": "inspection",
    "training:complete": "enrolment",
    "training:": "course",
    "home:notification": "notification",
}
UNKNOWN = "X1"  # a parameter this file does not know yet: the row still shows up, as a 404
MEMBER_CODE_PAGES = ("members:", "activity:row_save", "oversight:member", "training:member")
ORG_FIELDS = {"org", "cell", "unit", "organizer", "target_org", "deciding_org", "parent", "under"}
MEMBER_FIELDS = {"member", "member_code"}
ALLOWED = {200, 201, 204, 302}


def _near(qs: Any, field: str, paths: list[str]) -> Any:
    """The first row whose ``field`` org lies in the demo cell, else its grassroots unit, else
    the committee above (the accounts that can see it differ), else any row."""
    for path in paths:
        row = qs.filter(**{f"{field}__path__startswith": path}).order_by("pk").first()
        if row is not None:
            return row
    return qs.order_by("pk").first()


def _samples() -> dict[str, Any]:
    """One real row of each kind, as near the demo cell secretary's cell as there is one."""
    from chibo.accounts.models import ApiToken, RoleAssignment, RoleRequest
    from chibo.accounts.tokens import token_create
    from chibo.admissions.models import Candidate, Introducer
    from chibo.directives.models import Assignment, CompiledReport, Document, ProgressReport, Task
    from chibo.interchange.models import ImportJob
    from chibo.members.models import Member, MemberEvent
    from chibo.oversight.models import DisciplineCase, FollowUp, Inspection, MemberEvaluation
    from chibo.training.models import Course, Enrolment

    users = {u.username: u for u in User.objects.filter(username__in=DEMO)}
    held = {r.user.username: r.org for r in RoleAssignment.objects.select_related("user", "org")}
    cell = held["bithu"]
    paths = [held[u].path for u in ("bithu", "cosoviec", "captren")]
    token_create(actor=None, user=users["bithu"])
    from chibo.core.notify import notify

    notice = notify(user=users["bithu"], kind="matrix", message="Thử", url="/")
    request = RoleRequest.objects.create(
        user=users["xem"], role=Role.VIEWER, org=cell, proposed_by=users["quantri"]
    )
    assignment = _near(Assignment.objects.filter(reports__isnull=False), "org", paths)
    report = ProgressReport.objects.filter(assignment=assignment).order_by("pk").first()
    inspection = _near(Inspection.objects.all(), "target_org", paths)
    followup = FollowUp.objects.filter(inspection=inspection).order_by("pk").first()
    # An open case with a member introducer, for the "replace an introducer" page and API.
    introducer = _near(
        Introducer.objects.filter(
            member__isnull=False,
            replaced_on__isnull=True,
            candidate__stage__in=["introducers", "youth_union", "opinions"],
        ),
        "candidate__org",
        paths,
    )
    return {
        "cell": cell.code,
        "member": Member.objects.filter(org=cell).order_by("member_code").first().member_code,
        "candidate": _near(Candidate.objects.all(), "org", paths).pk,
        "introducer": introducer.pk,
        "introducer_candidate": introducer.candidate_id,
        "meeting": cell.meetings.order_by("pk").first().pk,
        "transfer": _near(MemberEvent.objects.filter(kind="transfer_out"), "org", paths).pk,
        "document": _near(Document.objects.all(), "org", paths).pk,
        "task": _near(Task.objects.all(), "document__org", paths).pk,
        "assignment": assignment.pk,
        "period": report.period,
        "report": report.pk,
        "compiled": _near(CompiledReport.objects.all(), "directive__org", paths).pk,
        "inspection": inspection.pk,
        "followup": followup.pk if followup else 10**6,
        "case": _near(DisciplineCase.objects.all(), "org", paths).pk,
        "year": MemberEvaluation.objects.order_by("-year").values_list("year", flat=True)[0],
        "course": _near(Course.objects.all(), "organizer", paths).pk,
        "enrolment": _near(Enrolment.objects.all(), "org", paths).pk,
        "token": ApiToken.objects.order_by("pk").first().pk,
        "role": RoleAssignment.objects.get(user__username="xem").pk,
        "role_request": request.pk,
        "notification": notice.pk,
        "job": ImportJob.objects.create(
            user=users["cosoviec"], kind="members", filename="x.xlsx", stored_as="x.xlsx"
        ).pk,
    }


def _page_kwargs(name: str, pattern: URLPattern, s: dict[str, Any]) -> dict[str, Any]:
    from chibo.admissions import dossier

    out: dict[str, Any] = {}
    for param in pattern.pattern.converters:
        if param == "pk":
            kind = next((v for k, v in PK.items() if name.startswith(k)), "")
            out[param] = s.get(kind, 10**6)
        elif param == "code":
            out[param] = s["member"] if name.startswith(MEMBER_CODE_PAGES) else s["cell"]
        elif param == "kind":
            out[param] = {
                "members:event": next(iter(EVENT_FORMS)),
                "admissions:dossier": next(iter(dossier.KINDS)),
                "interchange:template": "members",
            }.get(name, "admissions")
        elif param == "fmt":
            out[param] = "docx" if name.startswith("directives:") else "xlsx"
        else:
            out[param] = {
                "stage": "course",
                "period": s["period"],
                "event_id": s["transfer"],
                "fid": s["followup"],
                "introducer_id": s["introducer"],
                "year": s["year"],
                "action": "hold",
            }.get(param, UNKNOWN)
    return out


def _pages() -> list[tuple[str, URLPattern]]:
    out = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "api":
                    walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif entry.name and f"{namespace}{entry.name}" not in NOT_CHECKED:
                out.append((f"{namespace}{entry.name}", entry))

    walk(get_resolver(), "")
    return sorted(out, key=lambda row: row[0])


def _example(schema: dict[str, Any], components: dict[str, Any], name: str, s: dict) -> Any:
    """A value of the schema's type: the demo cell's codes for references, else the least."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], components, name, s)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        props = schema.get("properties", {})
        return {k: _example(props[k], components, k, s) for k in required if k in props}
    if kind == "array":
        return []
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-01-15"
    if name in ORG_FIELDS:
        return s["cell"]
    if name in MEMBER_FIELDS:
        return s["member"]
    return "X"


def _query_value(name: str, schema: dict[str, Any], s: dict[str, Any]) -> Any:
    """A required query parameter: the demo cell, last year's dates, the evaluated year."""
    if name in ORG_FIELDS:
        return s["cell"]
    if name in {"from", "date_from", "start"}:
        return "2025-01-01"
    if name in {"to", "date_to", "end", "on", "as_of"}:
        return "2025-12-31"
    if name == "year":
        return s["year"]
    if name == "month":
        return "2025-12"
    return _example(schema, {}, name, s)


def _operations(s: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(row label, method, path, body) of every API operation."""
    from chibo.admissions import dossier
    from chibo.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    values = {
        "member_code": s["member"],
        "candidate_id": s["candidate"],
        "introducer_id": s["introducer"],
        "stage": "course",
        "kind": next(iter(dossier.KINDS)),
        "meeting_id": s["meeting"],
        "event_id": s["transfer"],
        "doc_id": s["document"],
        "period": s["period"],
        "compiled_id": s["compiled"],
        "fmt": "docx",
        "task_id": s["task"],
        "assignment_id": s["assignment"],
        "report_id": s["report"],
        "inspection_id": s["inspection"],
        "case_id": s["case"],
        "course_id": s["course"],
        "enrolment_id": s["enrolment"],
        "post": "bi_thu",
        "day": "2026-05-02",
        "notification_id": s["notification"],
    }
    out = []
    for template, operations in schema["paths"].items():
        for method, op in operations.items():
            path = template
            for param in re.findall(r"\{([^}]+)\}", template):
                bare = param.split(":")[-1]
                if bare == "code":
                    value = s["member"] if "/members/{" in template else s["cell"]
                else:
                    value = values.get(bare, UNKNOWN)
                path = path.replace("{" + param + "}", str(value))
            query = {
                p["name"]: _query_value(p["name"], p.get("schema", {}), s)
                for p in op.get("parameters", [])
                if p.get("in") == "query" and p.get("required")
            }
            if query:
                path += "?" + urlencode(query)
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _example(content["application/json"]["schema"], components, "", s)
            out.append((f"{method.upper()} {template}", method, path, body))
    return sorted(out)


def _call(client: Client, method: str, url: str, body: Any, headers: dict[str, str]) -> int:
    cache.clear()  # throttles
    with transaction.atomic():
        if body is None and method in ("get", "delete"):
            response = getattr(client, method)(url, headers=headers)
        else:
            response = getattr(client, method)(
                url, json.dumps(body or {}), content_type="application/json", headers=headers
            )
        transaction.set_rollback(True)
    return response.status_code


def _page(client: Client, url: str) -> str:
    cache.clear()
    with transaction.atomic():
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
            status = f"P{response.status_code}"
        else:
            status = str(response.status_code)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        status += "L"
    return status


def _matrix() -> list[tuple[str, list[str]]]:
    from chibo.accounts import twofactor
    from chibo.accounts.tokens import token_create

    call_command("seed-demo", members=300, seed=2023, stdout=io.StringIO())
    s = _samples()
    rows: list[tuple[str, list[str]]] = []
    clients, headers = {}, {}
    for username in DEMO:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        session = client.session
        session[twofactor.SESSION_KEY] = user.pk
        session.save()
        clients[username] = client
        _token, raw = token_create(actor=None, user=user)
        headers[username] = {"Authorization": f"Bearer {raw}"}
    for name, pattern in _pages():
        url = reverse(name, kwargs=_page_kwargs(name, pattern, s))
        rows.append((f"page {name}", [_page(clients[u], url) for u in DEMO]))
    api_client = Client()
    for label, method, path, body in _operations(s):
        got = [str(_call(api_client, method, path, body, headers[u])) for u in DEMO]
        rows.append((f"api {label}", got))
    return rows


def _render(rows: list[tuple[str, list[str]]]) -> str:
    head = [
        "# Permission matrix: each demo role × each page and API operation",
        "",
        "Generated by `tests/test_permission_matrix.py::test_every_app_matrix` on the demo",
        "data (`chibo seed-demo --members 300 --seed 2023`); that test fails when an answer",
        "changes. Regenerate with",
        "`CHIBO_WRITE_MATRIX=1 .venv/bin/pytest tests/test_permission_matrix.py -k every_app`",
        "and review the diff: it is the change of who may do what.",
        "",
        "The demo accounts: "
        + ", ".join(
            f"`{u}` ({role} at the demo's {where})"
            for u, role, where in (
                ("bithu", "cell secretary", "cell KDHCD-SP-SV01"),
                ("cosoviec", "grassroots staff", "grassroots committee KDHCD-SP"),
                ("captren", "superior staff", "committee KDHCD"),
                ("vanphong", "city office", "city committee TU"),
                ("xem", "viewer", "committee SGDDT, another branch"),
                ("quantri", "sysadmin", "TU"),
            )
        )
        + ". Each row opens one real record of the demo cell KDHCD-SP-SV01 (or its "
        "committee): a 404 is the record outside the account's subtree.",
        "",
        "Answers: 200/201/204 allowed; 302 done, then sent on (a form, a download's page); "
        "400/422 the role passes and the sample input is refused; 403 the role may not; "
        "404 not in the account's scope (or no such record); 405 method not allowed. "
        "`P…`: a page that only takes POST, posted empty; `…L`: sent to sign in again "
        "(the second factor). Pages are opened with GET; API writes get a body of the "
        "right types, and every request is rolled back.",
        "",
        "| page or operation | " + " | ".join(DEMO) + " |",
        "|---|" + "---|" * len(DEMO),
    ]
    body = [f"| `{label}` | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(head + body) + "\n"


# Lists of party members' data: 403 for the sysadmin in the API as on their pages.
SYSADMIN_NEVER_LISTS = {
    "api GET /api/v1/members",
    "api GET /api/v1/candidates",
    "api GET /api/v1/candidates/probation-watch",
    "api GET /api/v1/activity/warnings",
    "api GET /api/v1/activity/tracking",
    "api GET /api/v1/activity/cells-missing-meetings",
    "api GET /api/v1/directives/assignments",
    "api GET /api/v1/training/requirements",
    "api GET /api/v1/oversight/coverage",
    "api GET /api/v1/oversight/evaluations/summary",
}

# Every API read and the page that shows the same data: a role the page refuses (403) is
# refused by the API too (403), and a role the API refuses is refused by the page. A 404
# (the sample record outside the account's subtree) is the scope speaking, not the role.
API_READ_PAGES = {
    "api GET /api/v1/activity/cells-missing-meetings": "activity:overview",
    "api GET /api/v1/activity/dues": "activity:dues",
    "api GET /api/v1/activity/graduates": "activity:transfers",
    "api GET /api/v1/activity/late-transfers": "activity:transfers",
    "api GET /api/v1/activity/meetings": "activity:meetings",
    "api GET /api/v1/activity/meetings/{meeting_id}": "activity:meeting",
    "api GET /api/v1/activity/party-groups": "activity:party_groups",
    "api GET /api/v1/activity/temporary-transfers": "activity:transfers",
    "api GET /api/v1/activity/tracking": "activity:tracking",
    "api GET /api/v1/activity/transfers": "activity:transfers",
    "api GET /api/v1/activity/transfers/{event_id}/letter/docx": "activity:letter_docx",
    "api GET /api/v1/activity/warnings": "activity:warnings",
    "api GET /api/v1/calendar": "core:calendar",
    "api GET /api/v1/calendar/working-days": "core:calendar",
    "api GET /api/v1/candidates": "admissions:board",
    "api GET /api/v1/candidates/probation-watch": "admissions:probation",
    "api GET /api/v1/candidates/{candidate_id}": "admissions:detail",
    "api GET /api/v1/candidates/{candidate_id}/dossier": "admissions:detail",
    "api GET /api/v1/candidates/{candidate_id}/dossier/{kind}/docx": "admissions:dossier",
    "api GET /api/v1/directives/assignments": "directives:my_tasks",
    "api GET /api/v1/directives/assignments/{assignment_id}/reports": "directives:assignment",
    "api GET /api/v1/directives/compiled/{compiled_id}/{fmt}": "directives:compiled_file",
    "api GET /api/v1/directives/documents": "directives:register",
    "api GET /api/v1/directives/documents/{doc_id}": "directives:document",
    "api GET /api/v1/directives/documents/{doc_id}/compiled": "directives:document",
    "api GET /api/v1/directives/documents/{doc_id}/docx": "directives:document_docx",
    "api GET /api/v1/directives/documents/{doc_id}/status/{period}": "directives:status",
    "api GET /api/v1/directives/documents/{doc_id}/tasks": "directives:document",
    "api GET /api/v1/directives/tasks/{task_id}": "directives:document",
    "api GET /api/v1/directives/terms": "directives:terms",
    "api GET /api/v1/members": "members:list",
    "api GET /api/v1/members/incoming": "members:incoming",
    "api GET /api/v1/members/party-badges": "members:party_badges",
    "api GET /api/v1/members/{member_code}": "members:detail",
    "api GET /api/v1/members/{member_code}/events": "members:detail",
    "api GET /api/v1/notifications": "home:notifications",
    "api GET /api/v1/orgs": "orgs:tree",
    "api GET /api/v1/orgs/{code}": "orgs:detail",
    "api GET /api/v1/orgs/{code}/subtree": "orgs:children",
    "api GET /api/v1/oversight/coverage": "oversight:coverage",
    "api GET /api/v1/oversight/discipline": "oversight:cases",
    "api GET /api/v1/oversight/discipline/{case_id}": "oversight:case",
    "api GET /api/v1/oversight/evaluations/summary": "oversight:evaluation",
    "api GET /api/v1/oversight/inspections": "oversight:index",
    "api GET /api/v1/oversight/inspections/{inspection_id}": "oversight:inspection",
    "api GET /api/v1/oversight/members/{code}/discipline": "oversight:member",
    "api GET /api/v1/reports/activity": "reports:report",
    "api GET /api/v1/reports/admissions": "reports:report",
    "api GET /api/v1/reports/admissions/breakdown": "reports:report",
    "api GET /api/v1/reports/composition": "reports:report",
    "api GET /api/v1/reports/removals": "reports:report",
    "api GET /api/v1/reports/targets": "reports:targets",
    "api GET /api/v1/training/courses": "training:index",
    "api GET /api/v1/training/courses/{course_id}": "training:course",
    "api GET /api/v1/training/gaps/leaders": "training:gaps",
    "api GET /api/v1/training/gaps/new-members": "training:gaps",
    "api GET /api/v1/training/members/{code}/certificates": "training:member",
    "api GET /api/v1/training/requirements": "training:requirements",
}
NO_PAGE = {"api GET /api/v1/me"}  # the caller's own account and roles


def _as_the_pages(rows: list[tuple[str, list[str]]]) -> list[str]:
    """API reads that answer otherwise than their page for the same role."""
    by_label = dict(rows)
    broken = []
    for label in by_label:
        if label.startswith("api GET ") and label not in {
            **API_READ_PAGES,
            **dict.fromkeys(NO_PAGE),
        }:
            broken.append(f"{label}: name the page that shows the same data (API_READ_PAGES)")
    for label, page in API_READ_PAGES.items():
        if label not in by_label:
            broken.append(f"{label}: no such operation any more")
            continue
        api_cells, page_cells = by_label[label], by_label[f"page {page}"]
        for user, api, shown in zip(DEMO, api_cells, page_cells, strict=True):
            shown = shown.strip("PL")
            if (shown == "403" and api != "403") or (api == "403" and shown != "403"):
                broken.append(f"{label}: {user} gets {api}, the page {page} {shown}")
    return broken


def _rules(rows: list[tuple[str, list[str]]]) -> list[str]:
    """What every answer must keep, whatever the table says."""
    broken = []
    for label, cells in rows:
        by = dict(zip(DEMO, cells, strict=True))
        codes = {u: int(re.sub(r"\D", "", c)) for u, c in by.items()}
        if any(code >= 500 for code in codes.values()):
            broken.append(f"{label}: a server error {by}")
        # (marking one's own notices read is not writing the Party's records)
        write = label.startswith("api ") and not label.startswith("api GET")
        write = write and "/api/v1/notifications" not in label
        # The viewer reads; it never writes.
        if write and codes["xem"] in ALLOWED:
            broken.append(f"{label}: the viewer wrote ({by['xem']})")
        # The system administrator manages accounts; a member's record is not its to read.
        personal = (
            label in SYSADMIN_NEVER_LISTS
            or "{member_code}" in label
            or "/members/{code}" in label
            or (label.startswith("page members:") and label != "page members:list")
        )
        if personal and codes["quantri"] in ALLOWED:
            broken.append(f"{label}: the sysadmin read a member's record ({by['quantri']})")
    return broken


@pytest.mark.django_db
def test_every_app_matrix() -> None:
    rows = _matrix()
    assert _rules(rows) == []
    assert _as_the_pages(rows) == []
    # Every page and every operation has its row.
    labels = {label for label, _cells in rows}
    assert {f"page {name}" for name, _p in _pages()} <= labels
    text = _render(rows)
    if os.environ.get("CHIBO_WRITE_MATRIX"):
        MATRIX_DOC.write_text(text, encoding="utf-8")
    written = MATRIX_DOC.read_text(encoding="utf-8") if MATRIX_DOC.exists() else ""
    changed = [
        line
        for line in difflib.unified_diff(written.splitlines(), text.splitlines(), lineterm="")
        if line.startswith(("+|", "-|"))
    ]
    assert changed == [], (
        "Who may do what changed (or a page or API route was added): if that is intended, run "
        "CHIBO_WRITE_MATRIX=1 .venv/bin/pytest tests/test_permission_matrix.py -k every_app "
        "and commit docs/permission-matrix.md with the change"
    )
