"""Who holds which role where (accounts.manage): list, propose, approve, end on a date, revoke.

Every grant, and every change that lengthens a role, is a proposal that a
second administrator approves on this page (accounts.services: four-eyes);
nobody acts on their own roles.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chibo.accounts import services
from chibo.accounts.models import RoleAssignment, RoleRequest
from chibo.core.roles import Cap, Role
from chibo.core.scoping import has_cap, scope_for
from chibo.core.web import date_field
from chibo.lib.dates import dmy
from chibo.orgs.selectors import get_org_for


class GrantForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    org_code = forms.CharField(label=gettext_lazy("Organization code"), max_length=32)
    valid_from = date_field(gettext_lazy("From"), required=False)
    valid_until = date_field(gettext_lazy("Until"), required=False)


class EndForm(forms.Form):
    valid_until = date_field(gettext_lazy("Until"), required=False)


def require_manage(request: HttpRequest) -> None:
    if not has_cap(request.user, Cap.ACCOUNTS_MANAGE):
        raise PermissionDenied(_("Only account administrators may manage roles."))


def _assignment_for(request: HttpRequest, pk: int) -> RoleAssignment:
    scope = scope_for(request.user, Cap.ACCOUNTS_MANAGE)
    ra = (
        RoleAssignment.objects.filter(scope.q("org__"), pk=pk).select_related("user", "org").first()
    )
    if ra is None:
        raise Http404(_("No such role assignment in your scope."))
    return ra


def _request_for(request: HttpRequest, pk: int) -> RoleRequest:
    scope = scope_for(request.user, Cap.ACCOUNTS_MANAGE)
    found = (
        RoleRequest.objects.filter(scope.q("org__"), pk=pk)
        .select_related("user", "org", "proposed_by", "assignment")
        .first()
    )
    if found is None:
        raise Http404(_("No such request in your scope."))
    return found


def _list(request: HttpRequest, form: GrantForm) -> HttpResponse:
    scope = scope_for(request.user, Cap.ACCOUNTS_MANAGE)
    qs = (
        RoleAssignment.objects.filter(scope.q("org__"))
        .select_related("user", "org")
        .order_by("user__username", "role", "org__path")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(user__username__icontains=q)
    today = timezone.localdate()
    rows = [(ra, ra.in_force(today)) for ra in qs[:500]]
    me = request.user.pk
    pending = [
        (rr, rr.proposed_by_id != me and rr.user_id != me)
        for rr in RoleRequest.objects.filter(scope.q("org__"), status=RoleRequest.Status.PENDING)
        .select_related("user", "org", "proposed_by", "assignment")
        .order_by("proposed_at")[:200]
    ]
    context = {"rows": rows, "form": form, "q": q, "pending": pending, "me": me}
    return render(request, "accounts/roles.html", context)


@login_required
@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    return _list(request, GrantForm())


@login_required
@require_POST
def role_grant_view(request: HttpRequest) -> HttpResponse:
    """Propose a grant (it takes effect when another administrator approves it)."""
    require_manage(request)
    form = GrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(username=data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("No user with this username."))
        else:
            try:
                org = get_org_for(request.user, data["org_code"].strip(), cap=Cap.ACCOUNTS_MANAGE)
                services.role_propose(
                    actor=request.user,
                    user=user,
                    role=data["role"],
                    org=org,
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except Http404:
                form.add_error("org_code", _("No such organization in your scope."))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Proposed. The role takes effect when another administrator approves it."),
                )
                return redirect("accounts:roles")
    return _list(request, form)


@login_required
@require_POST
def role_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End a role on a date: at once if that shortens it, as a proposal if it lengthens it."""
    require_manage(request)
    ra = _assignment_for(request, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["valid_until"]))
        return redirect("accounts:roles")
    until = form.cleaned_data["valid_until"] or timezone.localdate()
    try:
        if services.dates_widen_access(ra, ra.valid_from, until):
            services.role_propose_dates(
                actor=request.user, assignment=ra, valid_from=ra.valid_from, valid_until=until
            )
            messages.success(
                request,
                _(
                    "The new end date lengthens the role: proposed, it takes effect when "
                    "another administrator approves it."
                ),
            )
        else:
            services.role_set_dates(
                actor=request.user, assignment=ra, valid_from=ra.valid_from, valid_until=until
            )
            messages.success(request, _("The role now ends on %(date)s.") % {"date": dmy(until)})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("accounts:roles")


@login_required
@require_POST
def role_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_manage(request)
    ra = _assignment_for(request, pk)
    try:
        services.role_revoke(actor=request.user, user=ra.user, role=ra.role, org=ra.org)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("accounts:roles")


@login_required
@require_POST
def role_request_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_manage(request)
    found = _request_for(request, pk)
    try:
        services.role_request_approve(actor=request.user, request=found)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Approved: %(user)s now holds %(role)s on %(org)s.")
            % {
                "user": found.user.username,
                "role": found.get_role_display(),
                "org": found.org.code,
            },
        )
    return redirect("accounts:roles")


@login_required
@require_POST
def role_request_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_manage(request)
    found = _request_for(request, pk)
    try:
        done = services.role_request_reject(
            actor=request.user, request=found, note=request.POST.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("The proposal was withdrawn.")
            if done.status == RoleRequest.Status.CANCELLED
            else _("The proposal was rejected."),
        )
    return redirect("accounts:roles")


@login_required
@require_POST
def twofactor_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset the two-step login of the user of assignment ``pk`` (lost phone)."""
    from chibo.accounts import twofactor

    require_manage(request)
    ra = _assignment_for(request, pk)
    try:
        twofactor.twofactor_reset(actor=request.user, user=ra.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not reset this user's two-step login."))
    else:
        messages.success(
            request,
            _("Two-step login of %(user)s was reset: they set it up again at their next login.")
            % {"user": ra.user.username},
        )
    return redirect("accounts:roles")
