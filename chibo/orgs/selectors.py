"""Reads of the org tree: scoped listings, subtree counts, the tree on a past date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from chibo.accounts.roles import Cap
from chibo.core.scoping import orgs_for, scope_for
from chibo.members.models import ON_ROLLS, Member
from chibo.orgs.models import STEP, Org, OrgPeriod


def scope_roots(actor: Any, cap: str = Cap.ORG_VIEW) -> list[Org]:
    """The top orgs of the actor's scope (where a tree browser starts)."""
    paths = [path for path, _bound in scope_for(actor, cap).ranges]
    return list(Org.objects.filter(path__in=paths).order_by("path"))


def subtree_member_counts(orgs: list[Org]) -> dict[int, int]:
    """On-rolls members under each of ``orgs`` (its whole subtree), in one grouped query.

    The counts are rolled up by path prefix in Python: one query for any
    number of nodes, instead of one COUNT per node.
    """
    if not orgs:
        return {}
    query = Q()
    for org in orgs:
        query |= org.subtree_filter("org__")
    per_org = dict(
        Member.objects.filter(query, status__in=ON_ROLLS)
        .values_list("org__path")
        .annotate(n=Count("id"))
    )
    counts: dict[int, int] = {}
    for org in orgs:
        counts[org.pk] = sum(n for path, n in per_org.items() if path.startswith(org.path))
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
