"""The org tree's nodes and an org page's children, written in Python.

A city's tree and its page list every org directly under the city (4,127 at 400,000
members): with a template include per node the page took about a second of a worker
under load (docs/performance.md, load test). The markup is the one the templates
wrote (orgs/_nodes.html, orgs/detail.html); the URLs are reversed once per call.
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


def _nodes(nodes: Iterable[Any], p: _Parts, out: list[str]) -> None:
    out.append('<ul class="tree">')
    empty = True
    for node in nodes:
        empty = False
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
                _nodes(node.children, p, out)
            else:
                out.append(f'<p class="loading" aria-busy="true">{p.loading}</p>')
            out.append("</div></details>")
        else:
            out.append(f'<div class="leaf">{_label(node, p)}</div>')
        out.append("</li>")
    if empty:
        out.append(f'<li class="muted">{p.empty}</li>')
    out.append("</ul>")


@register.simple_tag
def org_nodes(nodes: Iterable[Any]) -> SafeString:
    """The tree's ``<ul>`` of nodes (views.Node: org, count, has_children, children)."""
    out: list[str] = []
    _nodes(nodes, _Parts(), out)
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def org_children_rows(nodes: Iterable[Any]) -> SafeString:
    """An org page's table rows of its children: name, code, type, members."""
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
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
