"""The transfers page, the decisions taken on it (a late transfer, a graduate's transfer) and
transfer letters.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.activity import letters, selectors, services, transfers
from chibo.activity.forms import GraduateTransferForm, LetterForm
from chibo.activity.views.common import _org
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap, scope_for
from chibo.core.web import DOCX_TYPE, run_service
from chibo.lib.dates import add_months
from chibo.members.selectors import get_member_for

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
