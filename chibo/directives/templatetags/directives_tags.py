"""``{% if request.user|can_see_directives %}`` for the nav link in base.html; ``document_text``."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.directives import text

register = template.Library()


@register.filter
def can_see_directives(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_cap(user, Cap.DIRECTIVE_VIEW)


@register.filter(needs_autoescape=True)
def document_text(value: Any, autoescape: bool = True) -> str:
    """A document's text as paragraphs, its footnotes as footnotes (``directives.text``).

    ``¹`` in the text links to the footnote it marks; footnotes come after the text.
    """
    parts = text.split(str(value or ""))

    def esc(s: str) -> str:
        return conditional_escape(s) if autoescape else s

    markers = {marker for marker, _note in parts.footnotes}

    def link(match: re.Match[str]) -> str:
        marker = match[0]
        if marker not in markers:
            return marker
        return f'<a class="fnref" href="#fn-{_anchor(marker)}">{marker}</a>'

    html = [f"<p>{_MARKER.sub(link, str(esc(para)))}</p>" for para in parts.paragraphs]
    if parts.footnotes:
        notes = "".join(
            f'<li id="fn-{_anchor(marker)}"><span class="fn-marker">{marker}</span> {esc(note)}</li>'
            for marker, note in parts.footnotes
        )
        html.append(f'<aside class="footnotes" role="note"><ol>{notes}</ol></aside>')
    return mark_safe("".join(html))  # noqa: S308 (every piece of text is escaped above)


_MARKER = re.compile(f"[{text.SUPERSCRIPTS}]+")


def _anchor(marker: str) -> str:
    return marker.translate(str.maketrans(text.SUPERSCRIPTS, "0123456789"))
