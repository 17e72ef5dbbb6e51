"""Pages: overview, meetings and the attendance sheet, warnings, dues, transfers, absence reasons.

Thin views: scoping and reads through ``activity.selectors``/``transfers``,
writes through ``activity.services``/``dues``. An htmx request gets the
partial the full page includes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.activity import dues, letters, periods, selectors, services, tracking, transfers
from chibo.activity.forms import (
    GraduateTransferForm,
    LetterForm,
    MeetingForm,
    PaymentForm,
    ReasonForm,
    TrackingForm,
)
from chibo.activity.models import (
    AbsenceReason,
    PartyGroup,
    PartyGroupMember,
    Presence,
    WarningLevel,
)
from chibo.core import rules
from chibo.core.plausibility import ask_confirmation
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap, scope_for
from chibo.core.web import DOCX_TYPE, is_htmx, run_service
from chibo.lib.dates import add_months
from chibo.lib.numbers import whole_number
from chibo.members.selectors import get_member_for, members_for
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import Org


def _org(request: HttpRequest, *, write: bool = False) -> Org:
    """The org of ``?org=CODE`` (404 outside scope), else the top of the actor's scope."""
    code = request.GET.get("org") or request.POST.get("org") or ""
    if code:
        return selectors.org_for(request.user, code, write=write)
    if not has_cap(request.user, Cap.MEMBER_VIEW):
        raise PermissionDenied(_("Your role does not give access to this page."))
    org = selectors.home_org(request.user)
    if org is None:
        raise PermissionDenied(_("Your role does not give access to this page."))
    if write:
        return selectors.org_for(request.user, org.code, write=True)
    return org


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    if request.GET.get("unit"):
        return _unit_cells(request, org)
    today = timezone.localdate()
    missing = Paginator(
        selectors.missing_meetings(request.user, today, under=org), MISSING_PER_PAGE
    ).get_page(request.GET.get("missing"))
    counts = selectors.warning_counts(request.user, org)
    context = {
        "org": org,
        "without_data": tracking.cells_without_data(request.user, under=org).count(),
        "missing": missing,
        "missing_count": missing.paginator.count,
        "warning_count": counts[WarningLevel.WARNING],
        "review_count": counts[WarningLevel.REMOVAL_REVIEW],
        "units": selectors.cells_by_unit(org, request.GET.get("page")),
    }
    return render(request, "activity/overview.html", context)


MISSING_PER_PAGE = 50  # cells that skipped meetings named per page of the overview


def _unit_cells(request: HttpRequest, org: Org) -> HttpResponse:
    """All the open cells of one unit of ``org``'s subtree, paged (the overview names 12)."""
    unit = selectors.org_for(request.user, request.GET["unit"])
    if not (org.path <= unit.path < org.path_bound):
        raise Http404(_("No such party organization in your scope."))
    page = selectors.unit_cells(org, unit, request.GET.get("page"))
    return render(request, "activity/unit_cells.html", {"org": org, "unit": unit, "cells": page})


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


# --- transfers -------------------------------------------------------------------------------


@login_required
@require_GET
def transfers_page(request: HttpRequest) -> HttpResponse:
    """Five lists, each counted and paged (``out``, ``in``, ``late``, ``temp``, ``grad``:
    TRANSFERS_PER_PAGE rows a page): a city's lists run to thousands of rows."""
    org = _org(request)
    today = timezone.localdate()

    def page(rows: Any, key: str) -> Any:
        return Paginator(rows, TRANSFERS_PER_PAGE).get_page(request.GET.get(key))

    out = page(transfers.outgoing_events(request.user, org, since=add_months(today, -12)), "out")
    inc = page(transfers.incoming_members(request.user, org), "in")
    grads = page(transfers.graduating_members(request.user, org, as_of=today), "grad")
    away = page(transfers.temporary_away_events(request.user, org, as_of=today), "temp")
    late = page(transfers.late_transfer_events(request.user, org), "late")
    temporary = [transfers.temp_away_of(e) for e in away.object_list]
    late_rows = [transfers.late_transfer_of(e) for e in late.object_list]
    out_papers = transfers.papers_of(list(out.object_list))
    in_papers = transfers.incoming_papers(list(inc.object_list))
    graduates = [g for g in map(transfers.graduate_of, grads.object_list) if g is not None]
    others: list[Any] = [*graduates, *temporary, *late_rows]
    codes = [p.member.member_code for p in (*out_papers, *in_papers)] + [
        x.member.member_code for x in others
    ]
    selectors.audit_list_read(request.user, codes, {"page": "transfers"})
    context = {
        "org": org,
        "today": today,
        "outgoing": [(p, p.state(today)) for p in out_papers],
        "incoming": [(p, p.state(today)) for p in in_papers],
        "graduates": [(g, g.state(today)) for g in graduates],
        "temporary": [(t, t.state(today)) for t in temporary],
        "late": [(t, t.may_decide(request.user)) for t in late_rows],
        "pages": {"out": out, "in": inc, "grad": grads, "temp": away, "late": late},
        "graduate_form": GraduateTransferForm(initial={"effective_date": today}),
        "may_change": selectors.can_write(request.user, org),
    }
    return render(request, "activity/transfers.html", context)


TRANSFERS_PER_PAGE = 25  # rows of each list of the transfers page


@login_required
@require_POST
def late_decision(request: HttpRequest, event_id: int) -> HttpResponse:
    """The competent committee accepts or refuses a late official transfer (issue 20)."""
    from chibo.lib.dates import parse_day
    from chibo.members.services import late_transfer_decide

    late = transfers.late_transfer_for(request.user, event_id)
    back = reverse("activity:transfers") + f"?org={late.event.org.code}#late"
    try:
        raw = request.POST.get("decided_on", "").strip()
        decided_on = parse_day(raw) if raw else None
    except ValueError:
        messages.error(request, _("Enter the decision date as dd/mm/yyyy."))
        return redirect(back)
    try:
        late_transfer_decide(
            actor=request.user,
            event=late.event,
            accepted=request.POST.get("accepted") == "1",
            decided_on=decided_on,
            note=request.POST.get("note", "")[:2000],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        (
            _("The late transfer of %(name)s was accepted: the transfer letter can be issued.")
            if request.POST.get("accepted") == "1"
            else _("The late transfer of %(name)s was refused.")
        )
        % {"name": late.member.full_name},
    )
    return redirect(back)


@login_required
@require_POST
def graduate_transfer(request: HttpRequest, code: str) -> HttpResponse:
    """One click on the graduates' list: the transfer to the place of residence starts (issue 20)."""
    from chibo.members.forms import org_by_exact_code

    member = get_member_for(request.user, code, write=True)
    form = GraduateTransferForm(request.POST)
    back = reverse("activity:transfers") + f"?org={member.org.code}#graduates"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    try:
        event = services.graduate_transfer_start(
            actor=request.user,
            member=member,
            effective_date=data["effective_date"],
            destination=data["destination"],
            destination_org=org_by_exact_code(data["destination_org"]),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        _("The transfer of %(name)s has started: record the transfer letter next.")
        % {"name": member.full_name},
    )
    return redirect("activity:letter", event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, event_id: int) -> HttpResponse:
    paper = transfers.paper_for(request.user, event_id, write=request.method == "POST")
    may_change = has_cap(request.user, Cap.MEMBER_CHANGE) and selectors.can_write(
        request.user, paper.event.org
    )
    initial: dict[str, Any] = {"issued_on": paper.issued_on}
    if paper.letter:
        initial.update(number=paper.letter.number, note=paper.letter.note)
    form = LetterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        issued = run_service(
            request,
            form,
            lambda: services.transfer_letter_issue(
                actor=request.user, event=paper.event, **form.cleaned_data
            ),
            _("The transfer letter was recorded."),
        )
        if issued is not None:
            return redirect("activity:letter", event_id=event_id)
    selectors.audit_list_read(request.user, [paper.member.member_code], {"page": "transfer_letter"})
    entry = letters.registered(paper)
    issuer = letters.issuer_of(paper)
    context = {
        "paper": paper,
        "form": form,
        "may_change": may_change,
        "state": paper.state(timezone.localdate()),
        "entry": entry,
        "issuer": issuer,
        "may_register": paper.letter is not None
        and entry is None
        and scope_for(request.user, Cap.DIRECTIVE_MANAGE).covers(issuer),
    }
    return render(request, "activity/letter.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def letter_docx(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET: the transfer letter as DOCX (HD 36-HD/VPTW). POST: enter it in the issuer's register."""
    paper = transfers.paper_for(request.user, event_id)
    if request.method == "POST":
        try:
            entry = letters.letter_register(
                actor=request.user,
                paper=paper,
                signer=request.POST.get("signer", "")[:120],
                signer_title=request.POST.get("signer_title", "")[:60],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(symbol)s was entered in the register of %(org)s.")
                % {"symbol": entry.symbol, "org": entry.org.name},
            )
        return redirect("activity:letter", event_id=event_id)
    return letter_download(request.user, paper)


def letter_download(user: Any, paper: transfers.Paper) -> HttpResponse:
    response = HttpResponse(letters.letter_docx(user, paper), content_type=DOCX_TYPE)
    name = f"giay-gioi-thieu-{paper.member.member_code}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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


# --- party groups (tổ đảng) ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def party_groups(request: HttpRequest) -> HttpResponse:
    """The cell's party groups and who is in each; the secretary creates them and sets members."""
    org = _org(request, write=request.method == "POST")
    if not org.is_cell:
        raise Http404
    may_change = selectors.can_write(request.user, org)
    today = timezone.localdate()
    people = [e.member for e in services.roster(org, today) if not e.attached]
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                group = services.party_group_create(
                    actor=request.user, org=org, name=request.POST.get("name", "")
                )
                messages.success(
                    request, _("The party group %(name)s was created.") % {"name": group.name}
                )
            else:
                # One select per member ("group-<code>"): the group's id, or empty for none.
                chosen: dict[int, list[str]] = {}
                for m in people:
                    value = request.POST.get(f"group-{m.member_code}", "")
                    if value.isdigit():
                        chosen.setdefault(int(value), []).append(m.member_code)
                with transaction.atomic():
                    for group in PartyGroup.objects.filter(org=org):
                        services.party_group_set_members(
                            actor=request.user, group=group, member_codes=chosen.get(group.pk, [])
                        )
                messages.success(request, _("The party groups were saved."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(f"{reverse('activity:party_groups')}?org={org.code}")
    groups = list(PartyGroup.objects.filter(org=org).order_by("name"))
    member_of = dict(
        PartyGroupMember.objects.filter(group__org=org).values_list("member_id", "group_id")
    )
    rule = rules.rule_in_force("meetings.party_group", on=today)
    selectors.audit_list_read(
        request.user, [m.member_code for m in people], {"page": "party_groups", "org": org.code}
    )
    context = {
        "org": org,
        "groups": [(g, [m for m in people if member_of.get(m.pk) == g.pk]) for g in groups],
        "people": [(m, member_of.get(m.pk)) for m in people],
        "unassigned": [m for m in people if m.pk not in member_of],
        "size": len(people),
        "rule": rule,
        "allowed": len(people) >= rule.value["min_members"],
        "months": services.group_months(org, today.year),
        "year": today.year,
        "may_change": may_change,
    }
    return render(request, "activity/party_groups.html", context)
