"""Personal API tokens in the UI: list, create (the token is shown once), revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from chibo.accounts import services, twofactor
from chibo.accounts.models import ApiToken
from chibo.accounts.requests import SignedInRequest
from chibo.accounts.tokens import MAX_DAYS, token_create, token_revoke
from chibo.core.clientip import client_ip


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. monthly report script")}),
    )
    expires_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=90
    )
    # A token acts with the user's rights: ask for the password again (throttled like the login).
    password = forms.CharField(
        label=gettext_lazy("Your password (to confirm)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_days"].help_text = _(
            "At most %(max)s days. You can revoke it at any time."
        ) % {"max": MAX_DAYS}


def _tokens(request: SignedInRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request.user).order_by("-created_at")[:100])


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: SignedInRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        username = request.user.username
        if services.login_locked(username=username, ip_address=ip):
            form.add_error(None, _("Too many failed attempts. Wait a few minutes, then try again."))
            status = 429
        elif not request.user.check_password(form.cleaned_data["password"]):
            services.login_failed(username=username, ip_address=ip)
            form.add_error("password", _("The password is not right."))
        elif twofactor.required_for(request.user) and not twofactor.is_verified(request):
            form.add_error(None, _("Finish the two-step login before creating a token."))
            status = 403
        else:
            raw = _create(request, form)
            if raw:
                form = TokenForm()
    context = {
        "form": form,
        "raw": raw,
        "tokens": _tokens(request),
        "now": timezone.now(),
        # Tokens made without the two-step login do not work while the roles require it.
        "needs_second_factor": twofactor.required_for(request.user),
    }
    response = render(request, "accounts/tokens.html", context, status=status)
    if raw:
        response["Cache-Control"] = "no-store"  # the token is shown once; never cache the page
    return response


def _create(request: SignedInRequest, form: TokenForm) -> str | None:
    raw = None
    try:
        _token, raw = token_create(
            actor=request.user,
            user=request.user,
            name=form.cleaned_data["name"],
            expires_days=form.cleaned_data["expires_days"],
            second_factor=twofactor.is_verified(request),
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return raw


@login_required
@require_POST
def token_revoke_view(request: SignedInRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
