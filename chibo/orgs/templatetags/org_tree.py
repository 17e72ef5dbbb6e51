"""The org tree's nodes and an org page's children, written in Python.

A city's page lists every org directly under the city (4,127 at 400,000 members): with
a template include per node the page took about a second of a worker under load
(docs/performance.md, load test). The tree shows a page of each level at a time
(views.CHILDREN_PAGE) and a button that loads the next in place. The markup is the one
the templates wrote (orgs/_nodes.html, orgs/detail.html); the URLs are reversed once per
call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chibo.core.templatetags.chibo_tags import num
from chibo.orgs.models import OrgKind

register = template.Library()
_MARK = "ORGCODE"


class _Parts:
    """What every node shares, computed once per call."""

    def __init__(self) -> None:
        self.detail = reverse("orgs:detail", args=[_MARK]).split(_MARK)
        self.children = reverse("orgs:children", args=[_MARK]).split(_MARK)
        self.kinds = {value: escape(str(label)) for value, label in OrgKind.choices}
        self.closed = f' <span class="badge badge-grey">{escape(_("closed"))}</span>'
        self.members = escape(_("members on the rolls"))
        self.loading = escape(_("Loading…"))
        self.empty = escape(_("No subordinate organizations."))

    def more(self, more: Any, row: bool = False) -> str:
        """The button that loads the next page of a wide level in its own place: an item
        of the tree's list, or a row of an org page's table (``row``)."""
        url = escape(f"{more.url}?start={more.start}")
        label = escape(
            _("Show %(shown)s more (%(left)s not shown yet)")
            % {"shown": num(min(more.size, more.left)), "left": num(more.left)}
        )
        tag = "tr" if row else "li"
        button = (
            f'<button type="button" class="outline secondary" hx-get="{url}"'
            f' hx-target="closest {tag}" hx-swap="outerHTML">{label}</button>'
        )
        if row:
            return f'<tr class="more"><td colspan="4">{button}</td></tr>'
        return f'<li class="more">{button}</li>'

    def url(self, parts: list[str], code: str) -> str:
        return escape(parts[0] + code + parts[1])


def _label(node: Any, p: _Parts) -> str:
    org = node.org
    closed = "" if org.is_open else p.closed
    return (
        f'<span class="node"><a href="{p.url(p.detail, org.code)}">{escape(org.name)}</a> '
        f'<code>{escape(org.code)}</code> <span class="kind">{p.kinds.get(org.kind, "")}</span>'
        f'{closed}</span><span class="count" title="{p.members}">{num(node.count)}</span>'
    )


def _items(nodes: Iterable[Any], p: _Parts, out: list[str]) -> bool:
    """The ``<li>`` of each node (and of its shown children); False when there were none."""
    any_node = False
    for node in nodes:
        any_node = True
        out.append("<li>")
        if node.has_children:
            if node.children:
                out.append("<details open>")
            else:
                out.append(
                    f'<details hx-get="{p.url(p.children, node.org.code)}" hx-trigger="toggle once"'
                    ' hx-target="find .subtree" hx-swap="innerHTML">'
                )
            out.append(f'<summary>{_label(node, p)}</summary><div class="subtree">')
            if node.children:
                _nodes(node.children, p, out, getattr(node, "more", None))
            else:
                out.append(f'<p class="loading" aria-busy="true">{p.loading}</p>')
            out.append("</div></details>")
        else:
            out.append(f'<div class="leaf">{_label(node, p)}</div>')
        out.append("</li>")
    return any_node


def _nodes(nodes: Iterable[Any], p: _Parts, out: list[str], more: Any = None) -> None:
    out.append('<ul class="tree">')
    if not _items(nodes, p, out):
        out.append(f'<li class="muted">{p.empty}</li>')
    if more:
        out.append(p.more(more))
    out.append("</ul>")


@register.simple_tag
def org_nodes(nodes: Iterable[Any], more: Any = None, items_only: bool = False) -> SafeString:
    """The tree's ``<ul>`` of nodes (views.Node: org, count, has_children, children, more),
    ending with the button for the rest of a wide level (``more``, views.More); with
    ``items_only``, the ``<li>`` items alone (a next page, in place of that button)."""
    p = _Parts()
    out: list[str] = []
    if items_only:
        _items(nodes, p, out)
        if more:
            out.append(p.more(more))
    else:
        _nodes(nodes, p, out, more)
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def org_children_rows(nodes: Iterable[Any], more: Any = None) -> SafeString:
    """An org page's table rows of its children: name, code, type, members; then the row
    that loads the next page (``more``, views.More) when there are more."""
    p = _Parts()
    out: list[str] = []
    for node in nodes:
        org = node.org
        muted = "" if org.is_open else ' class="muted"'
        closed = "" if org.is_open else p.closed
        out.append(
            f'<tr{muted}><td><a href="{p.url(p.detail, org.code)}">{escape(org.name)}</a>{closed}'
            f"</td><td><code>{escape(org.code)}</code></td><td>{p.kinds.get(org.kind, '')}</td>"
            f'<td class="num">{num(node.count)}</td></tr>'
        )
    if more:
        out.append(p.more(more, row=True))
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
