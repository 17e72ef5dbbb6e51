"""What the apps above ``orgs`` plug into the org tree; ``orgs`` may not import them.

The layers run one way (docs/architecture.md, "Layers"): members belong to orgs, so
``members`` registers here, in its ``AppConfig.ready``, what the tree needs of them:

- ``on_rolls(org_ids)``: the rows (with an ``org_id``) on the rolls of those orgs, which
  ``orgs.selectors.subtree_member_counts`` counts;
- ``merge_steps``: each moves what belongs to the merged org, inside ``org_merge``'s
  transaction, and returns how many members it moved;
- ``close_checks``: each refuses (``ValidationError``) to close an org that still holds
  something.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import QuerySet

if TYPE_CHECKING:
    from chibo.orgs.models import Org


class MergeStep(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        source: Org,
        target: Org,
        effective_date: dt.date,
        decision_number: str = "",
    ) -> int: ...


class Hooks:
    def __init__(self) -> None:
        self.on_rolls: Callable[[Any], QuerySet[Any]] | None = None
        self.merge_steps: list[MergeStep] = []
        self.close_checks: list[Callable[[Org], None]] = []


hooks = Hooks()
