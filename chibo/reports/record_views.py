"""The members behind a report figure: the page each figure links to, and its XLSX (audited).

``/reports/<kind>/members/?org=&from=&to=|as_of=&<facet>=`` lists exactly the
members the figure counts (``reports.records``), those the actor may see,
with the figure's own number and how many have left the actor's scope since.
Reading the list is audited like the member list (``members.list``); the XLSX
like every personal export (``reports.export``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chibo.core.dbrouter import reporting
from chibo.core.web import require_page_cap
from chibo.lib.dates import dmy
from chibo.lib.text import file_name
from chibo.members.models import Category, Gender, Member, RemovalReason, Status
from chibo.members.selectors import audit_list_read
from chibo.orgs.models import Org, SchoolLevel
from chibo.reports import exports, records, selectors, services
from chibo.reports.selectors import REPORT_CAP
from chibo.reports.tables import AGE_LABELS, TEXT, ReportDoc, Table
from chibo.reports.views import (
    CONTENT_TYPES,
    FILE_WORDS,
    NO_ACCESS,
    as_attachment,
    file_when,
    report_params,
)

PAGE_SIZE = 50


def _when(kind: str, params: dict[str, Any]) -> dict[str, dt.date]:
    if kind == "composition":
        return {"as_of": params["as_of"]}
    return {"start": params["start"], "end": params["end"]}


def _facet_words(kind: str, facets: dict[str, str]) -> list[str]:
    """What narrows the figure, as the report's rows say it."""
    words = []
    category = facets.get("category")
    if kind == "admissions" and category == records.SCHOOL:
        words.append(_("Students and pupils admitted by school party organizations"))
    elif kind == "admissions" and category == Category.STUDENT:
        words.append(_("Students admitted by school party organizations"))
    elif kind == "admissions" and category == Category.PUPIL:
        words.append(_("Pupils admitted by school party organizations"))
    elif category:
        words.append(_("Category: %(value)s") % {"value": Category(category).label})
    if facets.get("kind") == "removed":
        words.append(_("Removed from the rolls"))
    elif facets.get("kind") == "expelled":
        words.append(_("Expelled"))
    if facets.get("reason"):
        words.append(_("Reason: %(value)s") % {"value": RemovalReason(facets["reason"]).label})
    if facets.get("origin") == "past":
        words.append(_("Past admissions entered as records (decided before chibo)"))
    elif facets.get("origin") == "chibo":
        words.append(_("Admitted through the admission path in chibo"))
    if facets.get("abandoned"):
        words.append(_("Students removed for abandoning party activity"))
    if facets.get("standing") == "full":
        words.append(_("Full members"))
    elif facets.get("standing") == "probationary":
        words.append(_("Probationary members"))
    if facets.get("status"):
        words.append(_("Status: %(value)s") % {"value": Status(facets["status"]).label})
    if facets.get("gender"):
        words.append(_("Gender: %(value)s") % {"value": Gender(facets["gender"]).label})
    if facets.get("age"):
        words.append(_("Age: %(value)s") % {"value": AGE_LABELS[facets["age"]]})
    level = facets.get("level")
    if level == records.NO_LEVEL:
        words.append(_("Not a school"))
    elif level:
        words.append(_("School level: %(value)s") % {"value": SchoolLevel(level).label})
    if facets.get("unit"):
        org = Org.objects.filter(code=facets["unit"]).only("name", "code").first()
        name = f"{org.name} ({org.code})" if org else facets["unit"]
        words.append(_("Unit: %(value)s") % {"value": name})
    if facets.get("year"):
        words.append(_("Year %(year)s") % {"year": facets["year"]})
    return words


def _title(kind: str, when: dict[str, dt.date]) -> str:
    if kind == "admissions":
        text = _("Members admitted from %(start)s to %(end)s")
    elif kind == "removals":
        text = _("Members removed from the rolls or expelled from %(start)s to %(end)s")
    else:
        return _("Members on the rolls on %(date)s") % {"date": dmy(when["as_of"])}
    return text % {"start": dmy(when["start"]), "end": dmy(when["end"])}


def _found(request: HttpRequest, kind: str) -> tuple[Org, dict, dict[str, str], records.Records]:
    require_page_cap(request, REPORT_CAP, NO_ACCESS)
    if kind not in records.KINDS:
        raise Http404(_("No such report."))
    _form, params = report_params(request)
    if not params:
        raise Http404(_("Invalid report parameters."))
    try:
        facets = records.facets_from(kind, request.GET)
    except records.BadFacet as exc:
        raise Http404(_("Invalid report parameters.")) from exc
    root = selectors.report_root(request.user, params.get("org") or None)
    when = _when(kind, params)
    with reporting():
        rows = records.counted(
            kind, root, when, facets, allowed=selectors.allowed_ids(request.user)
        )
        found = records.records(request.user, rows)
    return root, when, facets, found


def _members(ids: list[int]) -> list[Member]:
    by_id = Member.objects.select_related("org").defer("citizen_id", "phone").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


@login_required
@require_GET
def members(request: HttpRequest, kind: str) -> HttpResponse:
    root, when, facets, found = _found(request, kind)
    page = Paginator(found.ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _members(list(page.object_list))
    audit_list_read(request.user, rows, {"report": kind, "org": root.code, **facets, **_iso(when)})
    context = {
        "kind": kind,
        "root": root,
        "title": _title(kind, when),
        "facets": _facet_words(kind, facets),
        "found": found,
        "page": page,
        # The category the figure counted (at admission, at removal, on the day).
        "rows": [
            (m, found.days.get(m.pk), _category_label(found.categories.get(m.pk, m.category)))
            for m in rows
        ],
        "dated": kind != "composition",
        "report_query": urlencode({"org": root.code, **_iso(when)}),
        "list_query": urlencode({"org": root.code, **_iso(when), **facets}),
    }
    return render(request, "reports/records.html", context)


def _category_label(value: str) -> str:
    return str(Category(value).label) if value in Category.values else value


def _iso(when: dict[str, dt.date]) -> dict[str, str]:
    names = {"start": "from", "end": "to", "as_of": "as_of"}
    return {names[k]: v.isoformat() for k, v in when.items()}


@login_required
@require_GET
def members_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    """The same list as XLSX; the download is audited with the member codes."""
    root, when, facets, found = _found(request, kind)
    people = _members(found.ids)
    services.export_recorded(
        actor=request.user,
        kind="admitted_members" if kind == "admissions" else f"{kind}_members",
        org=root,
        params={**_iso(when), **facets},
        member_codes=[m.member_code for m in people],
    )
    with translation.override("vi"):
        table = _table(kind, people, found)
        subtitle = "; ".join([_title(kind, when), *_facet_words(kind, facets)])
        doc = ReportDoc(kind, table.title, subtitle, root.code, root.name, [table])
        body = exports.to_xlsx(doc, stamp=exports.stamp_for(request.user))
    name = file_name("danh sach", FILE_WORDS[kind], root.code, file_when(when, kind), ext="xlsx")
    return as_attachment(HttpResponse(body, content_type=CONTENT_TYPES["xlsx"]), name)


def _table(kind: str, people: list[Member], found: records.Records) -> Table:
    if kind == "admissions":
        table = Table(
            _("Members admitted"),
            [
                (_("Member code"), TEXT),
                (_("Full name"), TEXT),
                (_("Category at admission"), TEXT),
                (_("Admitting organization"), TEXT),
                (_("Admission decision date"), TEXT),
                (_("Year"), TEXT),
            ],
        )
        admitting = Org.objects.in_bulk({m.admitting_org_id for m in people} - {None})
        table.rows = [
            [
                m.member_code,
                m.full_name,
                m.get_category_at_admission_display(),
                admitting[m.admitting_org_id].name if m.admitting_org_id in admitting else "",
                dmy(m.admitted_on),
                str(m.admitted_on.year),
            ]
            for m in people
        ]
        return table
    columns = [
        (_("Member code"), TEXT),
        (_("Full name"), TEXT),
        (_("Category"), TEXT),
        (_("Party cell"), TEXT),
        (_("Status"), TEXT),
    ]
    if kind == "removals":
        columns.append((_("Date"), TEXT))
    table = Table(_("Members"), columns)
    for m in people:
        row = [m.member_code, m.full_name, m.get_category_display(), m.org.name]
        row.append(m.get_status_display())
        if kind == "removals":
            day = found.days.get(m.pk)
            row.append(dmy(day) if day else "")
        table.rows.append(row)
    return table
