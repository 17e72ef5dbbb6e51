"""The candidates' board (filtered, paged), registering a candidate, and the probation watch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.admissions import selectors
from chibo.admissions.forms import (
    BoardFilterForm,
    RegisterForm,
)
from chibo.admissions.models import CLOSED, PATH, Stage
from chibo.admissions.path import next_stage
from chibo.core.plausibility import ask_confirmation
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import is_htmx, require_page_cap, run_service
from chibo.members.selectors import audit_list_read as audit_members_read

PAGE_SIZE = 50


BOARD_STAGES = (*PATH, Stage.WITHDRAWN, Stage.REJECTED, Stage.NOT_RECOGNIZED)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    form = BoardFilterForm(request.GET or None, user=request.user)
    flt = selectors.BoardFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.BoardFilter(
            org=data["org"],
            category=data["category"],
            stage=data["stage"],
            overdue=data["overdue"],
            history_overdue=data["history_overdue"],
            escalated=data["escalated"],
        )
    today = timezone.localdate()
    qs, counts, overdue = selectors.board(request.user, flt, today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    selectors.audit_list_read(
        request.user,
        rows,
        {"org": flt.org.code if flt.org else "", "category": flt.category, "stage": flt.stage},
    )
    context = {
        "form": form,
        "page": page,
        "today": today,
        "overdue": overdue,
        "rows": [
            (c, next_stage(c), bool(c.next_due and c.next_due < today and c.stage not in CLOSED))
            for c in rows
        ],
        "flags": selectors.board_flags(request.user, flt, today),
        "counts": [(s, Stage(s).label, counts.get(s, 0)) for s in BOARD_STAGES],
        "total_open": sum(n for s, n in counts.items() if s not in CLOSED),
        "may_register": has_cap(request.user, Cap.MEMBER_CHANGE),
    }
    if is_htmx(request, "board"):
        return render(request, "admissions/_board.html", context)
    return render(request, "admissions/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_CHANGE)
    initial = {"org": request.GET.get("org", ""), "registered_on": timezone.localdate()}
    form = RegisterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        candidate = run_service(
            request,
            form,
            form.save,
            lambda row: (
                _("%(name)s was registered as an outstanding candidate.") % {"name": row.full_name}
            ),
        )
        if candidate is not None:
            return redirect("admissions:detail", pk=candidate.pk)
        ask_confirmation(form)
    return render(request, "admissions/register.html", {"form": form})


@login_required
@require_GET
def probation(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    today = timezone.localdate()
    rows = selectors.probation_watch(request.user, today)
    audit_members_read(
        request.user, [r.member for r in rows], {"view": "admissions.probation_watch"}
    )
    return render(request, "admissions/probation.html", {"rows": rows, "today": today})
