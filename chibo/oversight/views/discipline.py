"""Discipline case pages: the list, a new case, one case and its actions, a member's record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import add_service_errors, form_page, require_page_cap, run_service
from chibo.members.selectors import member_detail
from chibo.oversight import forms as f
from chibo.oversight import selectors, services
from chibo.oversight.models import CaseStatus
from chibo.oversight.views.common import _org_choices

# --- discipline ----------------------------------------------------------------


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    status = request.GET.get("status", "")
    qs = selectors.cases_for(request.user)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    rows = list(qs[:200])
    selectors.audit_case_list(request.user, rows)
    return render(
        request,
        "oversight/cases.html",
        {
            "rows": rows,
            "status": status,
            "statuses": CaseStatus.choices,
            "may_open": has_cap(request.user, Cap.OVERSIGHT_PROPOSE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.OVERSIGHT_PROPOSE)
    form = f.CaseForm(
        request.POST or None,
        user=request.user,
        initial={"opened_on": timezone.localdate(), "member": request.GET.get("member", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = run_service(
            request,
            form,
            lambda: services.case_open(
                actor=request.user,
                member=data["member"],
                subject_org=data["subject_org"],
                violation=data["violation"],
                opened_on=data["opened_on"],
            ),
            _("The discipline case was opened."),
        )
        if case is not None:
            return redirect("oversight:case", pk=case.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        _("Open a discipline case"),
        reverse("oversight:cases"),
        org_choices=_org_choices(request.user),
    )


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_case_for(request.user, pk)
    try:
        selectors.get_case_for(request.user, pk, write=True)
        may_change = True
    except PermissionDenied:
        may_change = False
    open_ = item.status in (CaseStatus.OPEN, CaseStatus.ON_HOLD)
    actions = []
    if may_change and open_:
        actions = ["decide", "drop"] + (
            ["release"]
            if item.status == CaseStatus.ON_HOLD
            else (["hold"] if item.member_id else [])
        )
    if may_change and item.status == CaseStatus.DECIDED and item.appeal_on is None:
        actions.append("appeal")
    return render(
        request,
        "oversight/case.html",
        {"c": item, "actions": actions, "hold_ends_on": services.hold_ends_on(item)},
    )


CASE_ACTIONS: dict[str, tuple[type, Any, Callable[..., Any]]] = {}


def _do_hold(user: Any, item: Any, data: dict) -> Any:
    return services.case_hold(
        actor=user,
        case=item,
        reason=data["reason"],
        since=data["since"],
        child_born_on=data["child_born_on"],
        note=data["note"],
    )


def _do_release(user: Any, item: Any, data: dict) -> Any:
    return services.case_release(actor=user, case=item, on=data["on"])


def _do_decide(user: Any, item: Any, data: dict) -> Any:
    return services.case_decide(
        actor=user,
        case=item,
        penalty=data["penalty"],
        deciding_org=data["deciding_org"],
        decided_on=data["decided_on"],
        decision_number=data["decision_number"],
        effective_on=data["effective_on"],
        received_on=data["received_on"],
        by_cell_vote=data["by_cell_vote"],
        votes_for=data["votes_for"],
        votes_total=data["votes_total"],
        post=data["post"],
    )


def _do_appeal(user: Any, item: Any, data: dict) -> Any:
    return services.case_appeal(
        actor=user,
        case=item,
        filed_on=data["filed_on"],
        note=data["note"],
        received_on=data["received_on"],
    )


def _do_drop(user: Any, item: Any, data: dict) -> Any:
    return services.case_drop(actor=user, case=item, on=data["on"], note=data["note"])


CASE_ACTIONS.update(
    {
        "hold": (f.HoldForm, _("Put the case on hold"), _do_hold),
        "release": (f.ReleaseForm, _("Resume the review"), _do_release),
        "decide": (f.DecideForm, _("Record the discipline decision"), _do_decide),
        "appeal": (f.AppealForm, _("Record an appeal"), _do_appeal),
        "drop": (f.DropForm, _("Close without discipline"), _do_drop),
    }
)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404(_("Not found."))
    item = selectors.get_case_for(request.user, pk, write=True)
    form_class, title, run = CASE_ACTIONS[action]
    kwargs: dict[str, Any] = {"user": request.user} if form_class is f.DecideForm else {}
    today = timezone.localdate()
    initial = {
        "since": today,
        "on": today,
        "decided_on": today,
        "filed_on": today,
        "deciding_org": item.org.code,
        "received_on": item.received_on,
    }
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            run(request.user, item, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, {"filed_on": "filed_on"})
        else:
            messages.success(request, _("Saved."))
            return redirect("oversight:case", pk=item.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        str(title),
        reverse("oversight:case", args=[item.pk]),
        subject=item,
        org_choices=_org_choices(request.user) if action == "decide" else [],
    )


@login_required
@require_GET
def member(request: HttpRequest, code: str) -> HttpResponse:
    person = member_detail(request.user, code)
    return render(
        request,
        "oversight/member.html",
        {
            "member": person,
            "timeline": selectors.discipline_timeline(person),
            "evaluations": person.evaluations.order_by("-year")[:10],
        },
    )
