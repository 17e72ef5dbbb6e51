"""Member list, record, lifecycle events, admission and incoming transfers.

Reads go through members.selectors (scoped, audited); writes through the
forms' calls to members.services. After a successful POST: redirect (PRG).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import form_page, is_htmx, require_page_cap, run_service
from chibo.members import selectors, services
from chibo.members.forms import (
    EVENT_FORMS,
    ArrivalForm,
    EditForm,
    MemberFilterForm,
    PastAdmissionForm,
    ReceiveForm,
)
from chibo.members.lifecycle import allowed_events
from chibo.members.models import EventKind, Status
from chibo.members.selectors import get_member_for

PAGE_SIZE = 50


@login_required
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """htmx: members of the roster in scope matching what was typed (the person picker)."""
    from chibo.members.pick import MAX_SHOWN
    from chibo.orgs.selectors import get_org_for

    require_page_cap(request, Cap.MEMBER_VIEW)
    field = request.GET.get("field", "")[:40]
    q = (request.GET.get(field, "") if field else request.GET.get("q", ""))[:100]
    q = q.replace("\x00", "").strip()
    code = request.GET.get("org", "")[:32].replace("\x00", "")
    org = get_org_for(request.user, code, cap=Cap.MEMBER_VIEW) if code else None
    standing = request.GET.get("standing", "")
    status = request.GET.get("status", "")
    flt = selectors.MemberFilter(
        q=q,
        org=org,
        status=status if status in Status.values else "on_rolls",
        standing=standing if standing in ("full", "probationary") else "",
    )
    rows = list(selectors.member_list(request.user, flt)[: MAX_SHOWN + 1])
    more = len(rows) > MAX_SHOWN
    rows = rows[:MAX_SHOWN]
    selectors.audit_list_read(
        request.user, rows, {"q": q, "org": code, "via": "picker", "standing": flt.standing}
    )
    return render(request, "members/_pick_results.html", {"members": rows, "q": q, "more": more})


BADGES_PAGE = 25  # rows of the badges list per page (a phone scrolls a page, not a city)


@login_required
@require_GET
def party_badges(request: HttpRequest) -> HttpResponse:
    """The year's "Huy hiệu Đảng" milestones for the committees (issue 20)."""
    from django.utils import timezone

    from chibo.core.rules import rule_in_force
    from chibo.orgs.selectors import get_org_for

    require_page_cap(request, Cap.MEMBER_VIEW)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 1960), 2100)
    code = (request.GET.get("org") or "").strip()
    org = get_org_for(request.user, code) if code else None
    badges = selectors.party_badges(request.user, year, org)
    # A city has hundreds a year: the count per milestone, then the list by date, paged.
    by_years = Counter(b.years for b in badges)
    page = Paginator(badges, BADGES_PAGE).get_page(request.GET.get("page"))
    selectors.audit_list_read(
        request.user,
        [b.member for b in page.object_list],
        {"list": "party_badges", "year": year, "page": page.number},
    )
    context = {
        "year": year,
        "years": list(range(today.year - 1, today.year + 3)),
        "org": org,
        "badges": page.object_list,
        "page": page,
        "total": len(badges),
        "by_years": sorted(by_years.items()),
        "rule": rule_in_force("seniority.badge_years", on=dt.date(year, 12, 31)),
    }
    return render(request, "members/party_badges.html", context)


@login_required
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    form = MemberFilterForm(request.GET or None, user=request.user)
    flt = selectors.MemberFilter(status="on_rolls")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.MemberFilter(
            q=data["q"].strip(),
            org=data["org"],
            category=data["category"],
            status=data["status"],
            standing=data["standing"],
        )
    page = None
    if not form.is_bound or form.is_valid():
        page = selectors.member_page(request.user, flt, request.GET.get("page"), PAGE_SIZE)
        selectors.audit_list_read(
            request.user,
            list(page.object_list),
            {
                "q": flt.q,
                "org": flt.org.code if flt.org else "",
                "status": flt.status,
                "page": page.number,
            },
        )
    context = {"form": form, "page": page, "rows": _list_cells(page.object_list) if page else []}
    if is_htmx(request, "results"):
        return render(request, "members/_results.html", context)
    return render(request, "members/list.html", context)


def _list_cells(rows: Any) -> list[tuple[Any, ...]]:
    """Each row's cells as the list shows them (members/_results.html): (link, name, code,
    born, category, cell, status, status label, full). Made here, once per page: through the
    template's lookups (a ``{% url %}``, a ``date`` filter and four method calls a row) the
    fifty rows cost about half the page's time at 400,000 members (docs/performance.md)."""
    from urllib.parse import quote

    from django.urls import reverse
    from django.utils.http import RFC3986_SUBDELIMS

    # The record's address with the code quoted as ``reverse`` quotes it (one reverse a page).
    link = reverse("members:detail", args=["~"])
    head, tail = link.rsplit("~", 1)
    labels: dict[tuple[str, str], str] = {}
    cells = []
    for m in rows:
        category = labels.get(("c", m.category))
        if category is None:
            category = labels[("c", m.category)] = str(m.get_category_display())
        status = labels.get(("s", m.status))
        if status is None:
            status = labels[("s", m.status)] = str(m.get_status_display())
        cells.append(
            (
                head + quote(m.member_code, safe=RFC3986_SUBDELIMS + "/~:@") + tail,
                m.full_name,
                m.member_code,
                m.date_of_birth.strftime("%d/%m/%Y") if m.date_of_birth else "",
                category,
                m.org.name,
                m.status,
                status,
                m.is_full,
            )
        )
    return cells


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    member = selectors.member_detail(request.user, code)
    may_change = selectors.can_change(request.user, member)
    context = {
        "member": member,
        "sensitive": selectors.can_view_sensitive(request.user, member),
        "may_change": may_change,
        "events": selectors.member_timeline(member),
        "allowed": [(k, EventKind(k).label) for k in allowed_events(member)] if may_change else [],
        "on_rolls": member.status in (Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY),
        "seniority": _seniority_shown(member),
    }
    return render(request, "members/detail.html", context)


def _seniority_shown(member: Any) -> dict[str, Any] | None:
    from django.utils import timezone

    from chibo.members.seniority import seniority_of

    found = seniority_of(member)
    return found.as_dict(timezone.localdate()) if found is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def event(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    form_class = EVENT_FORMS.get(kind)
    if form_class is None:
        raise Http404(_("Unknown event."))
    member = get_member_for(request.user, code, write=True)
    form = form_class(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            form.submit,
            _("“%(event)s” was recorded for %(name)s.")
            % {"event": EventKind(kind).label, "name": member.full_name},
        )
        if done is not None:
            return redirect("members:detail", code=member.member_code)
    context = {
        "member": member,
        "form": form,
        "kind": kind,
        "title": EventKind(kind).label,
        "allowed": kind in allowed_events(member),
    }
    return render(request, "members/event.html", context)


def _new_member(
    request: HttpRequest, form_class: type, title: str, done: str, cap: str = Cap.MEMBER_CHANGE
) -> HttpResponse:
    require_page_cap(request, cap)
    initial = {}
    if request.method == "GET" and request.GET.get("org"):
        initial["org"] = request.GET["org"]
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = run_service(request, form, form.save, lambda row: done % {"name": row.full_name})
        if member is not None:
            return redirect("members:detail", code=member.member_code)
    return form_page(request, "members/form.html", form, title, member=None)


@login_required
@require_GET
def admit(request: HttpRequest) -> HttpResponse:
    """Where an admission is recorded: the admission path now, or a past admission (issue 20).

    There is no form here any more: an admission decided now goes through the path (the
    committee's decision step creates the member); one made before chibo is entered on
    ``past_admission`` by a committee user.
    """
    require_page_cap(request, Cap.MEMBER_CHANGE)
    context = {
        "org": request.GET.get("org", ""),
        "may_decide": has_cap(request.user, Cap.ADMISSION_DECIDE),
    }
    return render(request, "members/admit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def past_admission(request: HttpRequest) -> HttpResponse:
    return _new_member(
        request,
        PastAdmissionForm,
        _("Record an admission made before chibo"),
        _("The past admission of %(name)s was recorded."),
        cap=Cap.ADMISSION_DECIDE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    return _new_member(
        request,
        ReceiveForm,
        _("Receive a member from outside chibo"),
        _("%(name)s was added to the cell."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    member = get_member_for(request.user, code, write=True)
    sensitive = selectors.can_view_sensitive(request.user, member)
    form = EditForm(request.POST or None, member=member, sensitive=sensitive)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            lambda: services.member_update_identity(
                actor=request.user,
                member=member,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
            ),
            # after the call: a corrected name is the one the message shows
            lambda _row: _("The record of %(name)s was saved.") % {"name": member.full_name},
        )
        if saved is not None:
            return redirect("members:detail", code=member.member_code)
    context = {"form": form, "title": _("Correct identity"), "member": member}
    return render(request, "members/form.html", context)


def _arrivals(request: HttpRequest, bound: Any = None) -> list[tuple[Any, ArrivalForm]]:
    rows = []
    for member in selectors.incoming_transfers(request.user).order_by("name_folded"):
        if bound is not None and bound.member.pk == member.pk:
            rows.append((member, bound))
        else:
            rows.append((member, ArrivalForm(user=request.user, member=member)))
    return rows


@login_required
@require_GET
def incoming(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_CHANGE)
    rows = _arrivals(request)
    selectors.audit_list_read(request.user, [m for m, _f in rows], {"list": "incoming"})
    return render(request, "members/incoming.html", {"rows": rows})


@login_required
@require_POST
def arrive(request: HttpRequest, code: str) -> HttpResponse:
    """Record the arrival of one incoming member (member_transfer_in)."""
    require_page_cap(request, Cap.MEMBER_CHANGE)
    member = selectors.incoming_member_for(request.user, code)
    form = ArrivalForm(request.POST, user=request.user, member=member)
    if form.is_valid():
        done = run_service(
            request,
            form,
            form.save,
            _("The arrival of %(name)s was recorded.") % {"name": member.full_name},
        )
        if done is not None:
            return redirect("members:detail", code=member.member_code)
    rows = _arrivals(request, bound=form)
    return render(request, "members/incoming.html", {"rows": rows}, status=200)
