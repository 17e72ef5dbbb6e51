"""Writes to the org tree: create, move a subtree, merge, rename, close.

Each service checks the actor's right, validates before writing, writes the
change with its dated OrgEvent and OrgPeriod history, and records the audit
entry, all in one transaction.
"""

from __future__ import annotations

from chibo.orgs.services.names import org_rename, org_set_abbreviation
from chibo.orgs.services.structure import org_close, org_create, org_merge, org_move

__all__ = ["org_close", "org_create", "org_merge", "org_move", "org_rename", "org_set_abbreviation"]
