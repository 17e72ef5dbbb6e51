"""The org tree browser, an org's page, and the restructuring forms.

Thin views: access through ``get_org_for``, writes through ``orgs.services``.
Member counts are aggregates (no personal data): one grouped query over the
visible subtree, rolled up the materialized path in Python
(``orgs.selectors.subtree_member_counts``; big subtrees' counts are cached).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.core.web import add_service_errors
from chibo.orgs import services
from chibo.orgs.forms import (
    AbbreviationForm,
    CloseForm,
    MergeForm,
    MoveForm,
    NewChildForm,
    RenameForm,
)
from chibo.orgs.models import Org
from chibo.orgs.selectors import get_org_for, subtree_member_counts


@dataclass
class Node:
    org: Org
    count: int = 0
    has_children: bool = False
    children: list[Node] = field(default_factory=list)


def _nodes(orgs: Iterable[Org], counts: dict[int, int]) -> list[Node]:
    orgs = list(orgs)
    with_children = set(
        Org.objects.filter(parent__in=orgs, closed_on__isnull=True)
        .values_list("parent_id", flat=True)
        .order_by()
        .distinct()
    )
    return [Node(o, counts.get(o.pk, 0), o.pk in with_children) for o in orgs]


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user, Cap.ORG_VIEW)
    roots: list[Node] = []
    if not scope.is_empty:
        root_orgs = list(Org.objects.filter(path__in=[start for start, _end in scope.ranges]))
        children = list(
            Org.objects.filter(parent__in=root_orgs, closed_on__isnull=True).order_by("name_folded")
        )
        counts = subtree_member_counts([*root_orgs, *children])
        roots = _nodes(root_orgs, counts)
        by_parent: dict[int, list[Node]] = defaultdict(list)
        for node in _nodes(children, counts):
            if node.org.parent_id is not None:
                by_parent[node.org.parent_id].append(node)
        for root in roots:
            root.children = by_parent.get(root.org.pk, [])
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
@require_GET
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The open children of an org, with counts (the tree's htmx expand)."""
    org = get_org_for(request.user, code)
    kids = list(org.children.filter(closed_on__isnull=True).order_by("name_folded"))
    counts = subtree_member_counts(kids)
    return render(request, "orgs/_nodes.html", {"nodes": _nodes(kids, counts)})


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    org = get_org_for(user, code)
    view_scope = scope_for(user, Cap.ORG_VIEW)
    ancestors = [(a, view_scope.covers(a)) for a in org.ancestors()]
    kids = list(org.children.order_by("closed_on", "name_folded"))
    counts = subtree_member_counts([org, *kids])
    context = {
        "org": org,
        "ancestors": ancestors,
        "children": _nodes(kids, counts),
        "member_count": counts.get(org.pk, 0),
        "events": org.events.select_related("actor").order_by("-effective_date", "-id"),
        "may_restructure": org.is_open and scope_for(user, Cap.ORG_RESTRUCTURE).covers(org),
        "may_set_abbreviation": org.is_open and _may_set_abbreviation(user, org),
        "may_admit": org.is_open and org.is_cell and scope_for(user, Cap.MEMBER_CHANGE).covers(org),
        "may_view_members": scope_for(user, Cap.MEMBER_VIEW).covers(org),
        "merged_into_visible": org.merged_into is not None and view_scope.covers(org.merged_into),
        # closed_on is the first day without the org; people read the last day it existed.
        "last_day": org.closed_on - dt.timedelta(days=1) if org.closed_on else None,
    }
    return render(request, "orgs/detail.html", context)


Action = Callable[[Any, Org, dict[str, Any]], Org]


def _restructure(
    request: HttpRequest,
    code: str,
    form_class: type,
    action: Action,
    *,
    title: str,
    submit: str,
    done: str,
    confirm: str = "",
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """GET shows the form; POST calls the service, then redirects (PRG) with a message."""
    org = get_org_for(request.user, code, write_cap=Cap.ORG_RESTRUCTURE)
    form = form_class(request.POST or None, user=request.user, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            result = action(request.user, org, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, field_map)
        else:
            messages.success(request, done % {"org": result.name})
            return redirect("orgs:detail", code=result.code)
    context = {
        "org": org,
        "form": form,
        "title": title,
        "submit": submit,
        "confirm": confirm,
        "choices": form.choices(),
    }
    return render(request, "orgs/restructure.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, code: str) -> HttpResponse:
    def action(user: Any, org: Org, data: dict[str, Any]) -> Org:
        return services.org_move(
            actor=user,
            org=org,
            new_parent=data["new_parent"],
            effective_date=data["effective_date"],
            decision_number=data["decision_number"],
            note=data["note"],
        )

    return _restructure(
        request,
        code,
        MoveForm,
        action,
        title=_("Move under another superior"),
        submit=_("Move"),
        done=_("%(org)s was moved with its whole subtree."),
        field_map={"parent": "new_parent"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, code: str) -> HttpResponse:
    def action(user: Any, org: Org, data: dict[str, Any]) -> Org:
        return services.org_merge(
            actor=user,
            source=org,
            target=data["target"],
            effective_date=data["effective_date"],
            decision_number=data["decision_number"],
            note=data["note"],
        )

    return _restructure(
        request,
        code,
        MergeForm,
        action,
        title=_("Merge into another organization"),
        submit=_("Merge"),
        done=_("The merge was recorded; members and subordinate organizations are now in %(org)s."),
        confirm=_("Merge this organization? It will be closed and cannot be reopened."),
        field_map={"parent": "target"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rename(request: HttpRequest, code: str) -> HttpResponse:
    def action(user: Any, org: Org, data: dict[str, Any]) -> Org:
        return services.org_rename(
            actor=user,
            org=org,
            name=data["name"],
            effective_date=data["effective_date"],
            decision_number=data["decision_number"],
        )

    return _restructure(
        request,
        code,
        RenameForm,
        action,
        title=_("Rename"),
        submit=_("Rename"),
        done=_("The new name %(org)s was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, code: str) -> HttpResponse:
    def action(user: Any, org: Org, data: dict[str, Any]) -> Org:
        return services.org_close(
            actor=user,
            org=org,
            effective_date=data["effective_date"],
            decision_number=data["decision_number"],
            note=data["note"],
        )

    return _restructure(
        request,
        code,
        CloseForm,
        action,
        title=_("Dissolve"),
        submit=_("Dissolve"),
        done=_("%(org)s was dissolved."),
        confirm=_("Dissolve this organization? This cannot be undone."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_child(request: HttpRequest, code: str) -> HttpResponse:
    def action(user: Any, org: Org, data: dict[str, Any]) -> Org:
        return services.org_create(
            actor=user,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=org,
            opened_on=data["opened_on"],
            school_level=data["school_level"],
            ownership=data["ownership"],
            decision_number=data["decision_number"],
        )

    return _restructure(
        request,
        code,
        NewChildForm,
        action,
        title=_("New subordinate organization"),
        submit=_("Create"),
        done=_("%(org)s was created."),
        field_map={"parent": "kind"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def abbreviation(request: HttpRequest, code: str) -> HttpResponse:
    """The abbreviation in the org's document symbols (by the restructuring staff or the
    staff who keep its register)."""
    org = get_org_for(request.user, code)
    if not _may_set_abbreviation(request.user, org):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your role may read this organization but not change it."))
    form = AbbreviationForm(
        request.POST or None, user=request.user, org=org, initial={"abbreviation": org.abbreviation}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.org_set_abbreviation(
                actor=request.user, org=org, abbreviation=form.cleaned_data["abbreviation"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("New documents of %(org)s will use %(abbr)s.")
                % {"org": org.name, "abbr": org.abbreviation},
            )
            return redirect("orgs:detail", code=org.code)
    context = {
        "org": org,
        "form": form,
        "title": _("Document abbreviation"),
        "submit": _("Save"),
        "confirm": "",
        "choices": [],
    }
    return render(request, "orgs/restructure.html", context)


def _may_set_abbreviation(user: Any, org: Org) -> bool:
    return scope_for(user, Cap.ORG_RESTRUCTURE).covers(org) or scope_for(
        user, Cap.DIRECTIVE_MANAGE
    ).covers(org)
