"""Create a user on the web (accounts.manage), and the invitation that lets them set a password.

The role chosen with the new user is a proposal like any other: it takes
effect when a second administrator approves it (views_roles).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from chibo.accounts import services
from chibo.accounts.views_roles import require_manage
from chibo.core.roles import Cap, Role
from chibo.orgs.selectors import get_org_for

PASSWORD = "password"  # noqa: S105 — a form choice, not a secret
INVITE = "invite"


class UserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    how = forms.ChoiceField(
        label=gettext_lazy("First sign-in"),
        choices=[
            (PASSWORD, gettext_lazy("I set an initial password now")),
            (INVITE, gettext_lazy("An invitation link: they choose their password")),
        ],
        widget=forms.RadioSelect,
        initial=PASSWORD,
    )
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 10 characters; give it to the person privately."),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role (optional)"),
        choices=[("", "—"), *Role.choices],
        required=False,
    )
    org_code = forms.CharField(
        label=gettext_lazy("Organization code of the role"), max_length=32, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("how") == PASSWORD and not data.get("password"):
            self.add_error("password", _("Enter an initial password, or choose an invitation."))
        if data.get("how") == INVITE and not data.get("email") and settings.EMAIL_HOST:
            self.add_error("email", _("An invitation by e-mail needs an e-mail address."))
        if data.get("role") and not data.get("org_code"):
            self.add_error("org_code", _("Enter the organization the role is held on."))
        return data


def invitation_url(request: HttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("accounts:invite", args=[uid, token]))


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    require_manage(request)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = None
        if data["role"]:
            try:
                org = get_org_for(request.user, data["org_code"].strip(), cap=Cap.ACCOUNTS_MANAGE)
            except Http404:
                form.add_error("org_code", _("No such organization in your scope."))
        if not form.errors:
            try:
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"] if data["how"] == PASSWORD else None,
                    full_name=data["full_name"],
                    email=data["email"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else "password", errors)
            else:
                return _created(request, user, data, org)
    return render(request, "accounts/user_new.html", {"form": form})


def _created(request: HttpRequest, user: User, data: dict[str, Any], org: Any) -> HttpResponse:
    proposal = None
    problem = ""
    if org is not None:
        try:
            proposal = services.role_propose(
                actor=request.user, user=user, role=data["role"], org=org
            )
        except (ValidationError, PermissionDenied) as exc:
            problem = " ".join(getattr(exc, "messages", [str(exc)]))
    link = invitation_url(request, user) if data["how"] == INVITE else ""
    mailed = False
    if link and settings.EMAIL_HOST and user.email:
        send_mail(
            subject=_("[chibo] Your account"),
            message=_("An account %(username)s was created for you. Choose your password: %(link)s")
            % {"username": user.username, "link": link},
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,
        )
        mailed = True
    response = render(
        request,
        "accounts/user_created.html",
        {
            "new_user": user,
            "link": link,
            "mailed": mailed,
            "proposal": proposal,
            "problem": problem,
        },
    )
    response["Cache-Control"] = "no-store"  # the invitation link is a credential
    return response


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invitation: a new user sets their password (once; the link then stops working)."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/invite.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(user=user, form=form)
        return redirect(f"{reverse('accounts:login')}?invited=1")
    response = render(request, "accounts/invite.html", {"form": form, "invited_user": user})
    response["Cache-Control"] = "no-store"
    return response
