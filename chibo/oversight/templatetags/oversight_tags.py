"""``{% load oversight_tags %}{% discipline_section member %}``: a member's disciplines, for the member page."""

from __future__ import annotations

from typing import Any

from django import template

from chibo.oversight.selectors import discipline_timeline

register = template.Library()


@register.inclusion_tag("oversight/_discipline.html")
def discipline_section(member: Any) -> dict[str, Any]:
    return {"timeline": discipline_timeline(member), "member": member}
