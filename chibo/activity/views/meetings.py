"""Meetings and the attendance sheet (the whole sheet or one row), and the reasons given for an
absence.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.activity import selectors, services
from chibo.activity.forms import MeetingForm, ReasonForm
from chibo.activity.models import AbsenceReason, PartyGroup, Presence
from chibo.activity.views.common import _org
from chibo.core.plausibility import ask_confirmation
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import run_service

# --- meetings ---------------------------------------------------------------------------


@login_required
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    context = {
        "org": org,
        "meetings": selectors.meetings_of(request.user, org),
        "may_change": selectors.can_write(request.user, org) and org.is_cell,
    }
    return render(request, "activity/meetings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    org = _org(request, write=True)
    groups = list(PartyGroup.objects.filter(org=org).order_by("name"))
    form = MeetingForm(
        request.POST or None, initial={"held_on": timezone.localdate()}, groups=groups
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = next((g for g in groups if g.pk == data.get("group")), None)
        meeting = run_service(
            request,
            form,
            lambda: services.meeting_create(
                actor=request.user,
                org=org,
                kind=data["kind"],
                held_on=data["held_on"],
                online=data["online"],
                confirm=data["confirm"],
                group=group,
                **form.text(),
            ),
            _("The meeting was recorded. Mark who was absent below."),
        )
        if meeting is not None:
            return redirect("activity:meeting", pk=meeting.pk)
    ask_confirmation(form)
    return render(
        request,
        "activity/meeting_form.html",
        {"org": org, "form": form, "meeting": None, "groups": groups},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk, write=request.method == "POST")
    may_change = selectors.can_write(request.user, meeting.org)
    form = None
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            text = form.text()
            saved = run_service(
                request,
                form,
                lambda: services.meeting_update(
                    actor=request.user,
                    meeting=meeting,
                    held_on=data["held_on"],
                    kind=data["kind"],
                    online=data["online"],
                    confirm=data["confirm"],
                    **text,
                ),
                _("The meeting was saved."),
            )
            if saved is not None:
                return redirect("activity:meeting", pk=meeting.pk)
        ask_confirmation(form)
    elif may_change:
        form = MeetingForm(
            initial={
                name: getattr(meeting, name)
                for name in ("kind", "held_on", "online", *MeetingForm.TEXT)
            }
        )
    sheet = selectors.attendance_sheet(meeting)
    selectors.audit_list_read(request.user, sheet.codes, {"meeting": meeting.pk})
    context = {
        "meeting": meeting,
        "sheet": sheet,
        "form": form,
        "may_change": may_change,
        "open": meeting.held_on <= timezone.localdate(),
    }
    return render(request, "activity/meeting.html", context)


def _version(raw: str | None) -> int | None:
    """The row version a form sent (absent: not checked, as from an old page)."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _entries(request: HttpRequest, codes: list[str]) -> list[services.AttendanceEntry]:
    return [
        services.AttendanceEntry(
            code,
            request.POST.get(f"status-{code}", Presence.PRESENT),
            request.POST.get(f"reason-{code}", ""),
            request.POST.get(f"note-{code}", ""),
            _version(request.POST.get(f"version-{code}")),
        )
        for code in codes
    ]


@login_required
@require_POST
def sheet_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the whole sheet (the form's submit button; works without JavaScript).

    Rows someone else saved since the page was opened are left as they are and
    named in a message; the others are saved.
    """
    meeting = selectors.meeting_for(request.user, pk, write=True)
    codes = [key.removeprefix("status-") for key in request.POST if key.startswith("status-")]
    entries = _entries(request, codes)
    kept: list[str] = []
    try:
        try:
            changed = services.attendance_record(
                actor=request.user, meeting=meeting, entries=entries
            )
        except services.AttendanceConflict as conflict:
            kept = conflict.codes
            changed = services.attendance_record(
                actor=request.user,
                meeting=meeting,
                entries=[e for e in entries if e.member_code not in kept],
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Attendance saved (%(n)s changes).") % {"n": changed})
    if kept:
        messages.warning(
            request,
            _(
                "Someone else saved the rows of %(codes)s while you were marking: they were "
                "not changed. Check them below and mark again if needed."
            )
            % {"codes": ", ".join(kept)},
        )
    return redirect(reverse("activity:meeting", kwargs={"pk": meeting.pk}) + "#sheet")


@login_required
@require_http_methods(["GET", "POST"])
def row_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """htmx: one row changed; answer the row and the minutes summary (out of band).

    GET answers the row as saved. A mark made from a version of the row that
    someone else has changed since (the sheet marked offline, two markers) is
    not written: the answer (409) shows the row as saved now, with the mark
    that was sent, to keep one or the other.
    """
    meeting = selectors.meeting_for(request.user, pk, write=request.method == "POST")
    error = ""
    conflict: dict[str, Any] | None = None
    if request.method == "POST":
        try:
            services.attendance_record(
                actor=request.user, meeting=meeting, entries=_entries(request, [code])
            )
        except services.AttendanceConflict:
            conflict = {
                "status": request.POST.get(f"status-{code}", Presence.PRESENT),
                "reason": request.POST.get(f"reason-{code}", ""),
                "note": request.POST.get(f"note-{code}", ""),
            }
        except ValidationError as exc:
            error = " ".join(exc.messages)
    sheet = selectors.attendance_sheet(meeting)
    row = next(
        (r for r in (*sheet.expected, *sheet.attached) if r.member.member_code == code), None
    )
    if row is None:
        raise Http404(_("This member is not on the meeting's roster."))
    if conflict is not None:
        conflict["by"] = selectors.last_attendance_change(meeting, code)
    elif error:  # show what was chosen, unsaved, with the reason to fix it
        reason = next(
            (r for r in sheet.reasons if r.code == request.POST.get(f"reason-{code}")), None
        )
        row = selectors.SheetRow(
            row.entry,
            request.POST.get(f"status-{code}", row.status),
            reason.pk if reason else None,
            request.POST.get(f"note-{code}", ""),
            False,
            row.version,
        )
    context = {
        "meeting": meeting,
        "sheet": sheet,
        "row": row,
        "error": error,
        "conflict": conflict,
        "saved": request.method == "POST" and not error and conflict is None,
        "may_change": selectors.can_write(request.user, meeting.org),
        "open": meeting.held_on <= timezone.localdate(),
    }
    return render(request, "activity/_row_response.html", context, status=409 if conflict else 200)


# --- absence reasons -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reasons(request: HttpRequest) -> HttpResponse:
    if not has_cap(request.user, Cap.MEMBER_VIEW):
        raise PermissionDenied(_("Your role does not give access to this page."))
    may_change = has_cap(request.user, Cap.ORG_RESTRUCTURE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(
                _("Only committee staff may change the list of absence reasons.")
            )
        if form.is_valid():
            saved = run_service(
                request,
                form,
                lambda: services.absence_reason_save(actor=request.user, **form.cleaned_data),
                _("The list of absence reasons was saved."),
            )
            if saved is not None:
                return redirect("activity:reasons")
    context = {"reasons": AbsenceReason.objects.all(), "form": form, "may_change": may_change}
    return render(request, "activity/reasons.html", context)
