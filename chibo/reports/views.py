"""Dashboard, the four reports (page, print view, XLSX, DOCX), the records behind them, targets.

Every figure comes from ``reports.build`` for the actor's scope; pages and
files show the same tables. Only the list of admitted persons is personal,
and its export is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core.web import DOCX_TYPE, XLSX_TYPE, is_htmx, require_page_cap
from chibo.lib.text import file_name
from chibo.members.models import Category
from chibo.orgs.selectors import get_org_for
from chibo.reports import build as builder
from chibo.reports import exports, records, selectors, services
from chibo.reports.forms import ReportForm, TargetForm
from chibo.reports.selectors import REPORT_CAP

NO_ACCESS = _l("Your role gives no access to statistics.")

CONTENT_TYPES = {
    "xlsx": XLSX_TYPE,
    "docx": DOCX_TYPE,
}


# Each report in a file name, Vietnamese without diacritics (bao-cao-ket-nap-TU-2026.xlsx).
FILE_WORDS = {
    "admissions": "ket nap",
    "removals": "xoa ten khai tru",
    "composition": "co cau dang vien",
    "activity": "sinh hoat",
}


def file_when(params: dict[str, Any], kind: str) -> str:
    """The period or the day of a file: ``2026`` for a whole year or the year to date."""
    if kind not in builder.PERIOD_KINDS:
        return f"{params['as_of']:%d-%m-%Y}"
    start, end = params["start"], params["end"]
    from_new_year = start == dt.date(start.year, 1, 1) and end.year == start.year
    if from_new_year and (end == dt.date(end.year, 12, 31) or end == _today()):
        return str(start.year)
    return f"{start:%d-%m-%Y}-den-{end:%d-%m-%Y}"


def as_attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _today() -> dt.date:
    return timezone.localdate()


def _kind(kind: str) -> str:
    if kind not in builder.KINDS:
        raise Http404(_("No such report."))
    return kind


def report_params(request: HttpRequest) -> tuple[ReportForm, dict[str, Any]]:
    query = request.GET.copy()
    # The URL speaks the contract's names (from, to); the form's fields are start, end.
    for name, field_name in (("from", "start"), ("to", "end")):
        if name in query:
            query.setlist(field_name, query.getlist(name))
    form = ReportForm(query or None, today=_today())
    if form.is_bound and not form.is_valid():
        return form, {}
    if not form.is_bound:
        form = ReportForm({}, today=_today())
        form.is_valid()
    return form, form.cleaned_data


def _report(
    request: HttpRequest, kind: str, params: dict[str, Any], *, vietnamese: bool = False
) -> tuple:
    root = selectors.report_root(request.user, params.get("org") or None)
    args = (
        {"start": params["start"], "end": params["end"]}
        if kind in builder.PERIOD_KINDS
        else {"as_of": params["as_of"]}
    )
    if vietnamese:
        with translation.override("vi"):
            data, doc = builder.build(kind, request.user, root, **args)
    else:
        data, doc = builder.build(kind, request.user, root, **args)
    return root, data, doc


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, REPORT_CAP, NO_ACCESS)
    root = selectors.report_root(request.user, request.GET.get("org") or None)
    context = selectors.dashboard(request.user, root, _today())
    context["can_set_target"] = selectors.can_set_target(request.user, root)
    _link_figures(context, root.code)
    context["children"] = context["admissions_by_unit"]
    context["chart_data"] = {
        "trend": {
            "labels": [str(r["year"]) for r in context["admissions_trend"]],
            "students": [r["school_students"] for r in context["admissions_trend"]],
            "pupils": [r["school_pupils"] for r in context["admissions_trend"]],
            "total": [r["total_admissions"] for r in context["admissions_trend"]],
            "series": [_("Students (school orgs)"), _("Pupils (school orgs)"), _("All admissions")],
        },
        "units": {
            "labels": [r["org"] for r in context["admissions_by_unit"][:20]],
            "values": [r["school_students_and_pupils"] for r in context["admissions_by_unit"][:20]],
            "series": [_("Students and pupils admitted")],
        },
        "removals": {
            "labels": [str(r["year"]) for r in context["removals_trend"]],
            "values": [r["students_removed_abandoned_activity"] for r in context["removals_trend"]],
            "series": [_("Students removed for abandoning activity")],
        },
    }
    return render(request, "reports/dashboard.html", context)


def _link_figures(context: dict[str, Any], code: str) -> None:
    """Each dashboard figure's link to the members it counts (its period and its filter)."""
    year = {"start": context["start"], "end": context["today"]}
    trend = {"start": context["trend_start"], "end": context["today"]}
    context["links"] = {
        "school": records.link("admissions", code, year, category=records.SCHOOL),
        "students": records.link("admissions", code, year, category=Category.STUDENT),
        "pupils": records.link("admissions", code, year, category=Category.PUPIL),
        "abandoned": records.link("removals", code, year, abandoned="1"),
        "trend_students": records.link("admissions", code, trend, category=Category.STUDENT),
        "trend_pupils": records.link("admissions", code, trend, category=Category.PUPIL),
        "trend_abandoned": records.link("removals", code, trend, abandoned="1"),
        # Every unit, in the admissions report of the same period (the same figures per unit).
        "all_units": reverse("reports:report", args=["admissions"])
        + "?"
        + urlencode(
            {"org": code, "from": year["start"].isoformat(), "to": year["end"].isoformat()}
        ),
    }
    context["admissions_trend"] = [
        {**r, "records": records.link("admissions", code, trend, year=r["year"])}
        for r in context["admissions_trend"]
    ]
    context["admissions_by_unit"] = [
        {**r, "records": records.link("admissions", code, year, unit=r["org"])}
        for r in context["admissions_by_unit"]
    ]
    context["removals_trend"] = [
        {**r, "records": records.link("removals", code, trend, year=r["year"])}
        for r in context["removals_trend"]
    ]


@login_required
@require_GET
def report(request: HttpRequest, kind: str) -> HttpResponse:
    require_page_cap(request, REPORT_CAP, NO_ACCESS)
    kind = _kind(kind)
    form, params = report_params(request)
    context: dict[str, Any] = {
        "form": form,
        "kind": kind,
        "kinds": builder.KINDS,
        "period": kind in builder.PERIOD_KINDS,
    }
    if params:
        root, data, doc = _report(request, kind, params)
        context.update(
            root=root,
            data=data,
            doc=doc,
            query=request.GET.urlencode(),
            query_items=[
                (k, v)
                for k, values in request.GET.lists()
                if k not in ("signer", "signer_title", "recipients")
                for v in values
            ],
            default_recipients=exports.default_recipients(root, _today()),
        )
    if is_htmx(request, "report-body"):
        return render(request, "reports/_report_body.html", context)
    return render(request, "reports/report.html", context)


@login_required
@require_GET
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    require_page_cap(request, REPORT_CAP, NO_ACCESS)
    kind = _kind(kind)
    _form, params = report_params(request)
    if not params:
        raise Http404(_("Invalid report parameters."))
    if fmt == "print":
        root, _data, doc = _report(request, kind, params)
        return render(request, "reports/print.html", {"doc": doc, "root": root, "today": _today()})
    if fmt not in CONTENT_TYPES:
        raise Http404(_("No such format."))
    root, _data, doc = _report(request, kind, params, vietnamese=True)
    with translation.override("vi"):
        stamp = exports.stamp_for(request.user)
    if fmt == "xlsx":
        body = exports.to_xlsx(doc, stamp=stamp)
    else:
        try:
            body = exports.to_docx(
                doc, stamp=stamp, org=root, today=_today(), signing=_signing(request)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{reverse('reports:report', args=[kind])}?{request.GET.urlencode()}")
    name = file_name("bao cao", FILE_WORDS[kind], root.code, file_when(params, kind), ext=fmt)
    return as_attachment(HttpResponse(body, content_type=CONTENT_TYPES[fmt]), name)


def _signing(request: HttpRequest) -> exports.Signing:
    """Who signs the DOCX and to whom it goes, from the export form (blanks: marked fields)."""
    get = request.GET
    block = get.get("signature_for")
    lines = [" ".join(line.split()) for line in get.get("recipients", "").splitlines()]
    return exports.Signing(
        signer=get.get("signer", "")[:120],
        signer_title=get.get("signer_title", "")[:60],
        signature_for=None if block is None or block == "" else ("" if block == "-" else block),
        recipients=tuple(line for line in lines if line)[:20],
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, REPORT_CAP, NO_ACCESS)
    root = selectors.report_root(request.user, request.GET.get("org") or None)
    form = TargetForm(request.POST or None, initial={"org": root.code, "year": _today().year})
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "reports/targets.html",
                {
                    "form": form,
                    "root": root,
                    "targets": selectors.targets_visible(request.user, root),
                },
                status=422,
            )
        org = get_org_for(request.user, form.cleaned_data["org"].strip(), cap=REPORT_CAP)
        try:
            services.target_set(
                actor=request.user,
                org=org,
                year=form.cleaned_data["year"],
                indicator=form.cleaned_data["indicator"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
            return render(
                request,
                "reports/targets.html",
                {
                    "form": form,
                    "root": root,
                    "targets": selectors.targets_visible(request.user, root),
                },
                status=422,
            )
        messages.success(request, _("Target saved."))
        return redirect(f"{request.path}?org={root.code}")
    return render(
        request,
        "reports/targets.html",
        {
            "form": form,
            "root": root,
            "targets": selectors.targets_visible(request.user, root),
            "can_set": selectors.can_set_target(request.user, root)
            or any(selectors.can_set_target(request.user, c) for c in root.children.all()[:200]),
        },
    )
