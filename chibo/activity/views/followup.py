"""Follow-up pages: the early warnings, each cell's tracking start, the refresh of the warnings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.activity import selectors, services, tracking
from chibo.activity.forms import TrackingForm
from chibo.activity.models import WarningLevel
from chibo.activity.views.common import _org
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import is_htmx, run_service
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import Org

# --- warnings -----------------------------------------------------------------------------


@login_required
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    sort = request.GET.get("sort", "level")
    level = request.GET.get("level", "")
    level = level if level in WarningLevel.values else ""
    rows = selectors.warnings_for(request.user, org, sort=sort, level=level, limit=500)
    counts = selectors.warning_counts(request.user, org)
    selectors.audit_list_read(
        request.user, [w.member.member_code for w in rows], {"page": "warnings"}
    )
    context = {
        "org": org,
        "rows": rows,
        "total": counts[level] if level else sum(counts.values()),
        "sort": sort,
        "level": level,
        "levels": WarningLevel.choices,
        "may_change": selectors.can_write(request.user, org),
        "as_of": rows[0].as_of if rows else None,
        **_tracking_context(request, org),
    }
    if is_htmx(request):
        return render(request, "activity/_warnings_table.html", context)
    return render(request, "activity/warnings.html", context)


def _tracking_context(request: HttpRequest, org: Org) -> dict[str, Any]:
    """What the warnings and dues pages say about the tracking start: the cell's, or the cells
    of the subtree without data."""
    if org.is_cell:
        return {"tracking": tracking.start_of(org), "without_data": []}
    without = tracking.cells_without_data(request.user, under=org)
    return {"tracking": None, "without_data": list(without[:50]), "without_count": without.count()}


@login_required
@require_http_methods(["GET", "POST"])
def tracking_page(request: HttpRequest) -> HttpResponse:
    """Each cell's tracking start; committee staff set "theo dõi từ ngày" here."""
    org = _org(request)
    may_set = has_cap(request.user, Cap.ORG_RESTRUCTURE) and selectors.can_restructure(
        request.user, org
    )
    if request.method == "POST" and not may_set:
        raise PermissionDenied(_("Only the committee sets the day its cells started recording."))
    form = TrackingForm(request.POST or None, initial={"org": org.code})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = org_by_code(request.user, data["org"], Cap.ORG_RESTRUCTURE)
        except ValidationError as exc:
            form.add_error("org", exc.messages)
        else:
            saved = run_service(
                request,
                form,
                lambda: tracking.tracking_set(
                    actor=request.user, org=target, set_on=data["set_on"], note=data["note"]
                ),
                lambda rows: _("Tracking start saved for %(n)s cells.") % {"n": len(rows)},
            )
            if saved is not None:
                return redirect(reverse("activity:tracking") + f"?org={org.code}")
    rows = tracking.cells_tracking(request.user, org)
    context = {
        "org": org,
        "rows": rows,
        "form": form if may_set else None,
        "without_count": sum(1 for r in rows if r.on_rolls and r.start is None),
    }
    return render(request, "activity/tracking.html", context)


@login_required
@require_POST
def warnings_refresh(request: HttpRequest) -> HttpResponse:
    org = _org(request, write=True)
    counts = services.warnings_refresh(actor=request.user, org=org)
    messages.success(
        request,
        _("Warnings recomputed: %(w)s warnings, %(r)s removal reviews.")
        % {"w": counts["warning"], "r": counts["removal_review"]},
    )
    return redirect(reverse("activity:warnings") + f"?org={org.code}")
