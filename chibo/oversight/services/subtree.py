"""Whether an org lies in another's subtree (the tree's materialised paths)."""

from __future__ import annotations

from chibo.orgs.models import Org


def _under(org: Org, root: Org) -> bool:
    return root.path <= org.path < root.path_bound
