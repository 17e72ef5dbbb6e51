"""Helpers shared by the oversight pages."""

from __future__ import annotations

from typing import Any

from chibo.core.roles import Cap
from chibo.orgs.selectors import orgs_for


def _org_choices(user: Any, cap: str = Cap.MEMBER_VIEW) -> list[Any]:
    return list(
        orgs_for(user, cap).filter(closed_on__isnull=True).only("code", "name", "path")[:500]
    )
