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
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.core.web import add_service_errors, is_htmx
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

# Nodes shown at once per level of the tree. A city's level lists every org directly under
# the city (4,106 open at 400,000 members, 1.2 MB of HTML): the tree and its htmx expand
# show this many, with a button that loads the next ones in place.
CHILDREN_PAGE = 100


@dataclass(frozen=True)
class More:
    """The rest of a wide level: where its next page is (``url`` + ``?start=``), the first
    child not shown, how many are not shown."""

    url: str
    start: int
    left: int
    size: int


def _start(request: HttpRequest) -> int:
    """``?start=N``: the first child of the page asked for (0 when absent or not a number)."""
    raw = request.GET.get("start", "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


def _page(
    children: QuerySet[Org], start: int, url: str, order: tuple[str, ...]
) -> tuple[list[Org], More | None]:
    """A page of ``children`` from ``start`` in ``order``, and what is left after it."""
    kids = list(children.order_by(*order, "pk")[start : start + CHILDREN_PAGE + 1])
    if len(kids) <= CHILDREN_PAGE:
        return kids, None
    left = children.count() - start - CHILDREN_PAGE
    return kids[:CHILDREN_PAGE], More(url, start + CHILDREN_PAGE, left, CHILDREN_PAGE)


@dataclass
class Node:
    org: Org
    count: int = 0
    has_children: bool = False
    children: list[Node] = field(default_factory=list)
    more: More | None = None  # children not shown yet (a wide level)


def _nodes(orgs: Iterable[Org], counts: dict[int, int]) -> list[Node]:
    orgs = list(orgs)
    with_children = set(
        Org.objects.filter(parent__in=orgs, closed_on__isnull=True)
        .values_list("parent_id", flat=True)
        .order_by()
        .distinct()
    )
    return [Node(o, counts.get(o.pk, 0), o.pk in with_children) for o in orgs]


def _level(parent: Org, start: int = 0) -> tuple[list[Org], More | None]:
    """A page of ``parent``'s open children from ``start``, in name order (the tree)."""
    open_children = Org.objects.filter(parent=parent, closed_on__isnull=True)
    url = reverse("orgs:children", args=[parent.code])
    return _page(open_children, start, url, ("name_folded",))


def _counts(parent: Org, kids: list[Org], wide: bool) -> dict[int, int]:
    """Members of ``parent`` and of ``kids`` (a page of its children), each counting its
    subtree: one grouped read of the parent's subtree when the level fits in a page (cached
    when big); for a wider level, the parent's own count and the page's children, never the
    whole level's (a city's level is the whole city)."""
    if wide:
        return {**subtree_member_counts([parent]), **subtree_member_counts(kids)}
    return subtree_member_counts([parent, *kids])


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The scope's roots, each with the first page of its children (counts: ``_counts``)."""
    scope = scope_for(request.user, Cap.ORG_VIEW)
    roots: list[Node] = []
    if not scope.is_empty:
        root_orgs = list(Org.objects.filter(path__in=[start for start, _end in scope.ranges]))
        levels = {root.pk: _level(root) for root in root_orgs}
        children = [kid for kids, _more in levels.values() for kid in kids]
        counts: dict[int, int] = {}
        for org in root_orgs:
            kids, more = levels[org.pk]
            counts.update(_counts(org, kids, more is not None))
        roots = _nodes(root_orgs, counts)
        by_parent: dict[int, list[Node]] = defaultdict(list)
        for node in _nodes(children, counts):
            if node.org.parent_id is not None:
                by_parent[node.org.parent_id].append(node)
        for root in roots:
            root.children = by_parent.get(root.org.pk, [])
            root.more = levels[root.org.pk][1]
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
@require_GET
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The open children of an org, with counts (the tree's htmx expand), a page at a time:
    ``?start=N`` answers the next page's items alone, to replace the "more" button."""
    org = get_org_for(request.user, code)
    start = _start(request)
    kids, more = _level(org, start)
    counts = _counts(org, kids, bool(start or more))
    context = {"nodes": _nodes(kids, counts), "more": more, "items_only": start > 0}
    return render(request, "orgs/_nodes.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    org = get_org_for(user, code)
    start = _start(request)
    # A page of children at a time: a city has thousands.
    order = ("closed_on", "name_folded")
    kids, more = _page(org.children.all(), start, reverse("orgs:detail", args=[org.code]), order)
    if start and is_htmx(request):  # the next page's rows, in place of the "more" row
        nodes = _nodes(kids, subtree_member_counts(kids))
        return render(request, "orgs/_children_rows.html", {"children": nodes, "more": more})
    view_scope = scope_for(user, Cap.ORG_VIEW)
    ancestors = [(a, view_scope.covers(a)) for a in org.ancestors()]
    counts = _counts(org, kids, bool(start or more))
    context = {
        "org": org,
        "ancestors": ancestors,
        "children": _nodes(kids, counts),
        "more": more,
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
