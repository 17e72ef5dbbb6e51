"""Reads of the org tree: scoped listings, subtree counts, the tree on a past date."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.orgs.hooks import hooks
from chibo.orgs.models import STEP, Org, OrgPeriod


def orgs_for(user: Any, cap: str = Cap.ORG_VIEW) -> QuerySet[Org]:
    """The orgs in ``user``'s scope for ``cap`` (core.scoping)."""
    return Org.objects.filter(scope_for(user, cap).q())


def get_org_for(
    user: Any, code: str, *, cap: str = Cap.ORG_VIEW, write_cap: str | None = None
) -> Org:
    """The org ``code`` if ``user`` may see it (404 otherwise); 403 without ``write_cap``."""
    org = orgs_for(user, cap).filter(code=code).first()
    if org is None:
        raise Http404(_("No such party organization in your scope."))
    if write_cap and not scope_for(user, write_cap).covers(org):
        raise PermissionDenied(_("Your role may view this organization but not change it."))
    return org


def scope_roots(actor: Any, cap: str = Cap.ORG_VIEW) -> list[Org]:
    """The top orgs of the actor's scope (where a tree browser starts)."""
    paths = [path for path, _bound in scope_for(actor, cap).ranges]
    return list(Org.objects.filter(path__in=paths).order_by("path"))


# Counts of subtrees this big (members on the rolls) are kept in the shared cache.
BIG_SUBTREE = 20_000
COUNT_TTL = 300  # seconds


def _on_rolls_in(orgs: Q) -> Any:
    # ``org_id IN (…)`` rather than a join condition on the path: SQLite then reads
    # a ward's members through the (org, status) index instead of scanning them all.
    assert hooks.on_rolls is not None, "members registers orgs.hooks.on_rolls"
    return hooks.on_rolls(Org.objects.filter(orgs).values("pk"))


def rolled_up_counts(orgs: Q) -> dict[str, int]:
    """On-rolls members per org path in the orgs matching ``orgs`` (a condition on Org),
    each org counting its whole subtree.

    One query grouped by org id (an index-only scan on PostgreSQL, no join), one
    for the orgs' paths; then every count is added to each ancestor step of the
    org's path.
    """
    per_org = dict(_on_rolls_in(orgs).values_list("org_id").annotate(n=Count("id")).order_by())
    # As a subquery: SQLite then reads each of many path ranges from the path index (a
    # page of a city's level: 100 ranges, 5 ms) instead of testing them all on every org (40 ms).
    paths = Org.objects.filter(pk__in=Org.objects.filter(orgs).values("pk")).values_list(
        "pk", "path"
    )
    totals: dict[str, int] = defaultdict(int)
    for pk, path in paths:
        n = per_org.get(pk)
        if n:
            for end in range(STEP, len(path) + 1, STEP):
                totals[path[:end]] += n
    return totals


def _count_key(orgs: list[Org]) -> str:
    """One cache entry per set of orgs asked for (a tree page asks for a root and its
    thousands of children at once: one entry, not one per org), keyed by their ids and
    paths (an org moved elsewhere is counted afresh)."""
    ids = ",".join(f"{org.pk}:{org.path}" for org in sorted(orgs, key=lambda o: o.pk))
    return "orgs:onrolls:v2:" + hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()


def _outermost(orgs: list[Org]) -> list[Org]:
    """``orgs`` without those inside another's subtree (their ranges add nothing)."""
    outer: list[Org] = []
    for org in sorted(orgs, key=lambda o: o.path):
        if not outer or not org.path.startswith(outer[-1].path):
            outer.append(org)
    return outer


def subtree_member_counts(orgs: list[Org], *, cached: bool = True) -> dict[int, int]:
    """On-rolls members under each of ``orgs`` (its whole subtree), in one grouped query.

    The counts are rolled up by path prefix in Python: one query for any
    number of nodes, instead of one COUNT per node. An exact count reads every
    member of the subtree (0.2 s for a city of 400,000, seconds for the nation;
    docs/performance.md): when the query read ``BIG_SUBTREE`` members or more,
    its counts (a city and the children shown under it) are kept in the shared
    cache for ``COUNT_TTL`` seconds, as one entry for the whole set of ``orgs``
    (``_count_key``); such totals move by a few members a day.
    A query over fewer members caches nothing: ordinary subtrees are always
    counted exactly. ``cached=False`` counts afresh.
    """
    if not orgs:
        return {}
    key = _count_key(orgs)
    if cached:
        hit = cache.get(key)
        if hit is not None:
            return {org.pk: hit.get(org.pk, 0) for org in orgs}
    outer = _outermost(orgs)
    query = Q()
    for org in outer:
        query |= org.subtree_filter()
    if len(orgs) == 1:  # one subtree: a plain COUNT
        totals = {orgs[0].path: _on_rolls_in(query).count()}
    else:
        totals = rolled_up_counts(query)
    counts = {org.pk: totals.get(org.path, 0) for org in orgs}
    if sum(totals.get(org.path, 0) for org in outer) >= BIG_SUBTREE:
        cache.set(key, counts, COUNT_TTL)
    return counts


@dataclass(frozen=True)
class NodeAsOf:
    org_id: int
    parent_id: int | None
    name: str


def tree_as_of(day: dt.date) -> dict[int, NodeAsOf]:
    """Every org that existed on ``day``, with the parent and name it had then."""
    periods = OrgPeriod.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    return {p.org_id: NodeAsOf(p.org_id, p.parent_id, p.name) for p in periods}


def subtree_ids_as_of(root: Org, day: dt.date) -> set[int]:
    """Ids of ``root`` and all orgs under it as the tree stood on ``day``."""
    nodes = tree_as_of(day)
    children: dict[int | None, list[int]] = defaultdict(list)
    for node in nodes.values():
        children[node.parent_id].append(node.org_id)
    if root.pk not in nodes:
        return set()
    found = {root.pk}
    stack = [root.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def children_of(actor: Any, org: Org) -> list[Org]:
    return list(orgs_for(actor).filter(parent=org).order_by("closed_on", "name"))


def path_depth(path: str) -> int:
    return len(path) // STEP - 1
