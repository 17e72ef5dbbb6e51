"""``{% if request.user|can_see_directives %}`` for the nav link in base.html."""

from __future__ import annotations

from typing import Any

from django import template

from chibo.accounts.roles import Cap
from chibo.core.scoping import has_cap

register = template.Library()


@register.filter
def can_see_directives(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_cap(user, Cap.DIRECTIVE_VIEW)
