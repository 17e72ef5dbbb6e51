"""Two-factor pages: enrol (secret + first code → recovery codes), verify at login, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo.accounts import services, twofactor
from chibo.accounts.requests import SignedInRequest
from chibo.core.clientip import client_ip


def _next(request: SignedInRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _throttle_key(request: SignedInRequest) -> str:
    return f"2fa:{request.user.username}"


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: SignedInRequest) -> HttpResponse:
    if twofactor.is_enrolled(request.user):
        return redirect(
            "accounts:2fa_verify" if not twofactor.is_verified(request) else "home:index"
        )
    device = twofactor.device_for(request.user)
    if device is None:
        device = twofactor.enrol_start(user=request.user)
    error = ""
    if request.method == "POST":
        codes = twofactor.enrol_confirm(user=request.user, code=request.POST.get("code", ""))
        if codes is not None:
            twofactor.mark_verified(request)
            response = render(
                request,
                "accounts/2fa_codes.html",
                {"codes": codes, "next": _next(request), "first_time": True},
            )
            response["Cache-Control"] = "no-store"
            return response
        error = _(
            "That code is not right. Check the time on your phone and type the 6 digits again."
        )
    secret = device.secret
    context = {
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "uri": twofactor.provisioning_uri(secret, request.user.username),
        "required": twofactor.required_for(request.user),
        "error": error,
        "next": _next(request),
    }
    response = render(request, "accounts/2fa_enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: SignedInRequest) -> HttpResponse:
    if not twofactor.is_enrolled(request.user):
        return redirect("accounts:2fa_enrol")
    if twofactor.is_verified(request):
        return redirect(_next(request) or "home:index")
    error = ""
    status = 200
    ip = client_ip(request)
    if request.method == "POST":
        if services.login_locked(username=_throttle_key(request), ip_address=ip):
            error = _("Too many wrong codes. Wait a few minutes, then try again.")
            status = 429
        elif (
            outcome := twofactor.check_code(user=request.user, code=request.POST.get("code", ""))
        ) == twofactor.CODE_OK:
            twofactor.mark_verified(request)
            left = twofactor.recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request,
                    _("Only %(n)s recovery codes are left: make new ones under Two-step login.")
                    % {"n": left},
                )
            return redirect(_next(request) or "home:index")
        else:
            services.login_failed(username=_throttle_key(request), ip_address=ip)
            if outcome == twofactor.CODE_REUSED:
                error = _(
                    "This code was already used to sign in. Wait for the next code in your app "
                    "(it changes every 30 seconds), then type the new one."
                )
            else:
                error = _(
                    "That code is not right. Type the 6 digits from your app, or a recovery code."
                )
    return render(
        request, "accounts/2fa_verify.html", {"error": error, "next": _next(request)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    if not twofactor.is_enrolled(request.user) or not twofactor.is_verified(request):
        return redirect("accounts:2fa_enrol")
    if request.method == "POST":
        codes = twofactor.regenerate_recovery_codes(user=request.user)
        response = render(request, "accounts/2fa_codes.html", {"codes": codes, "next": ""})
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "accounts/2fa_manage.html",
        {"left": twofactor.recovery_codes_left(request.user)},
    )


@login_required
@require_POST
def new_secret(request: SignedInRequest) -> HttpResponse:
    """Start over with a new secret (only before enrolment is confirmed)."""
    if not twofactor.is_enrolled(request.user):
        twofactor.enrol_start(user=request.user)
    return redirect("accounts:2fa_enrol")
