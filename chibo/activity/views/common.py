"""What the activity pages share: the org a page is about."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chibo.activity import selectors
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
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
