"""Login (throttled) and logout."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chibo.accounts import backends, services
from chibo.core.clientip import client_ip


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home:index")
    idle_logout = request.session.pop("chibo_idle_logout", False)
    locked = False
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = client_ip(request)
        if services.login_locked(username=username, ip_address=ip):
            locked = True
        elif form.is_valid():
            user = form.get_user()
            login(request, user, backend=backends.PATH)
            services.login_succeeded(user=user, ip_address=ip)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            return redirect("home:index")
        else:
            services.login_failed(username=username, ip_address=ip)
            locked = services.login_locked(username=username, ip_address=ip)
    status = 429 if locked else 200
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "locked": locked,
            "idle_logout": idle_logout,
            "next": request.GET.get("next", ""),
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")
