"""A report table's rows written in Python: the same cells as the template wrote them.

A city's table lists every unit (2,182 at 400,000 members): writing its ~25,000 cells
through the template engine took most of the page's time (issue 24). ``report_rows``
writes each cell as ``_tables.html`` did: numbers through the ``num`` and ``pct``
filters, text as ``{{ cell }}`` (localized and escaped), the records link per row.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from chibo.core.templatetags.chibo_tags import num, pct
from chibo.reports.tables import INT, MONEY, PCT, Table

register = template.Library()

# Each number kind's cell, as ``_tables.html`` wrote it with the ``num`` and ``pct`` filters.
_NUMBERS: dict[str, Callable[[Any], str]] = {
    PCT: lambda cell: f'<td class="num">{escape(pct(cell))}</td>',
    INT: lambda cell: f'<td class="num">{escape(num(cell))}</td>',
    MONEY: lambda cell: f'<td class="num">{escape(num(cell))} đ</td>',
}


@register.simple_tag(takes_context=True)
def report_rows(context: template.Context, table: Table, printing: bool = False) -> SafeString:
    """The ``<tr>`` rows of ``table``'s body (the records link column unless printing)."""
    linked = bool(table.links) and not printing
    parts: list[str] = []
    if not table.rows:
        return mark_safe(  # noqa: S308 (the message is ours; the count an int)
            f'<tr><td colspan="{len(table.columns)}" class="muted">'
            f"{escape(gettext('No data for this period.'))}</td></tr>"
        )
    listed = gettext("list")
    # A table repeats its numbers: each written once. The key is the value's text, since
    # equal Decimals may be written differently (1.5 and 1.50).
    written: dict[tuple[str, type, str], str] = {}
    # Plain text (a unit's code and name) as ``{{ cell }}`` writes it: render_value_in_context
    # leaves a str as it is and conditional_escape escapes it with html.escape.
    plain = bool(context.autoescape)
    for index, row in enumerate(table.typed_rows):
        parts.append("<tr>")
        for cell, kind in row:
            if kind in _NUMBERS:
                key = (kind, type(cell), str(cell))
                td = written.get(key)
                if td is None:
                    td = written[key] = _NUMBERS[kind](cell)
                parts.append(td)
            elif plain and cell.__class__ is str:
                parts.append(f"<td>{html.escape(cell)}</td>")
            else:
                parts.append(f"<td>{render_value_in_context(cell, context)}</td>")
        if linked:
            link = table.links[index] if index < len(table.links) else ""
            anchor = f'<a href="{escape(link)}">{escape(listed)}</a>' if link else ""
            parts.append(f'<td class="no-print records-link">{anchor}</td>')
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
