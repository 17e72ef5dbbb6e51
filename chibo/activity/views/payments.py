"""The dues page: who paid for which months, a payment recorded."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.activity import dues, periods, selectors
from chibo.activity.forms import PaymentForm
from chibo.activity.views.common import _org
from chibo.activity.views.followup import _tracking_context
from chibo.core.plausibility import ask_confirmation
from chibo.core.roles import Cap
from chibo.core.web import run_service
from chibo.lib.numbers import whole_number
from chibo.members.selectors import members_for

# --- dues ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dues_page(request: HttpRequest) -> HttpResponse:
    org = _org(request, write=request.method == "POST")
    today = timezone.localdate()
    year = whole_number(request.GET.get("year"), low=2000, high=2100) or today.year
    # Paged by unit: one cell per page (a committee's subtree may hold thousands).
    page = None if org.is_cell else selectors.cells_page(org, request.GET.get("page"))
    cell = org if page is None else (page.object_list[0] if page.object_list else None)
    roster = members_for(request.user, Cap.MEMBER_CHANGE).filter(
        (cell or org).subtree_filter("org__")
    )
    form = PaymentForm(
        request.POST or None,
        initial={"paid_on": today, "first": today.strftime("%m/%Y")},
        roster=roster,
        org=cell or org,
    )
    here = reverse("activity:dues") + f"?org={org.code}&year={year}"
    if page is not None:
        here += f"&page={page.number}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        paid = run_service(
            request,
            form,
            lambda: dues.dues_pay(
                actor=request.user,
                member=member,
                months=periods.span(data["first"], data["last"]),
                amount_vnd=data["amount_vnd"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                confirm=data["confirm"],
            ),
            _("Payment recorded for %(name)s.") % {"name": member.full_name},
            {"periods": "first"},
        )
        if paid is not None:
            return redirect(here)
    ask_confirmation(form)
    months: list[dt.date]
    rows: list[selectors.DuesRow]
    if cell is None:
        months, rows, totals = [], [], {"amount": 0, "payments": 0, "members": 0, "in_arrears": 0}
    else:
        months, rows, totals = selectors.dues_grid(cell, year, today)
    selectors.audit_list_read(
        request.user, [r.member.member_code for r in rows], {"page": "dues", "year": year}
    )
    context = {
        "org": org,
        "cell": cell,
        "page": page,
        "jump": selectors.cells_jump(org, page.paginator.count) if page is not None else [],
        "here": here,
        "year": year,
        "months": months,
        "rows": rows,
        "totals": totals,
        "form": form,
        "may_change": selectors.can_write(request.user, org),
        "years": range(today.year - 4, today.year + 1),
        **_tracking_context(request, org),
    }
    return render(request, "activity/dues.html", context)
