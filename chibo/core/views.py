"""Error pages and the working-day calendar (the start page is ``chibo.home``)."""

from __future__ import annotations

import datetime as dt
import sys

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core import calendar
from chibo.core.busy import (
    RETRY_AFTER_SECONDS,
    busy_message,
    disk_full_message,
    is_busy,
    is_disk_full,
)
from chibo.core.models import CalendarAdjustment, RuleVersion
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import date_field, run_service
from chibo.lib.dates import dmy


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


@require_GET
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico: browsers (and downloads, API pages) ask for it whatever the page links."""
    response = FileResponse(
        (settings.BASE_DIR / "static" / "favicon.ico").open("rb"), content_type="image/x-icon"
    )
    response["Cache-Control"] = "public, max-age=604800"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """500, except for a database that is busy (503, Retry-After) or a full disk (507).

    Called while the exception is being handled (``sys.exc_info``). The page
    is standalone: it reads nothing from the database.
    """
    exc = sys.exc_info()[1]
    if is_busy(exc):
        response = render(request, "503.html", {"message": busy_message()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_disk_full(exc):
        return render(request, "503.html", {"message": disk_full_message()}, status=507)
    return defaults.server_error(request)


# --- the working-day calendar (issue 20) ------------------------------------------------------


class CalendarAdjustmentForm(forms.Form):
    day = date_field(_l("Date"))
    working = forms.TypedChoiceField(
        label=_l("The day is"),
        choices=[("1", _l("a working day (make-up day)")), ("0", _l("a day off"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(
        label=_l("What it is"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _l("e.g. Make-up day for Friday 02/05/2025")}),
    )
    source = forms.CharField(
        label=_l("Source (announcement, dispatch)"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _l("e.g. CV 12729/VPCP-KGVX (25/12/2025)")}),
    )
    confidence = forms.ChoiceField(label=_l("Confidence"), choices=RuleVersion.Confidence.choices)
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The year's working-day calendar: weekdays off and the government's swaps; the city
    office adds, changes and removes adjustments (audited)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    may_change = has_cap(request.user, Cap.CALENDAR_MANAGE)
    form = CalendarAdjustmentForm(request.POST or None, initial={"confidence": "M"})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("Only the city office keeps the working-day calendar."))
        if request.POST.get("delete"):
            try:
                day = dt.date.fromisoformat(request.POST["delete"])
                calendar.calendar_adjustment_delete(actor=request.user, day=day)
            except (ValueError, ValidationError, CalendarAdjustment.DoesNotExist) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    _("The adjustment of %(date)s was removed.") % {"date": dmy(day)},
                )
            return redirect(f"{reverse('core:calendar')}?year={year}")
        if form.is_valid():
            saved = run_service(
                request,
                form,
                lambda: calendar.calendar_adjustment_save(actor=request.user, **form.cleaned_data),
                lambda row: _("%(date)s was saved in the calendar.") % {"date": dmy(row.day)},
            )
            if saved is not None:
                return redirect(f"{reverse('core:calendar')}?year={saved.day.year}")
    context = {
        **calendar.year_view(year),
        "form": form,
        "may_change": may_change,
        "years": [year - 1, year + 1],
    }
    return render(request, "core/calendar.html", context)
