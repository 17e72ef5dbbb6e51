"""The attendance sheet's rows as HTML, built in Python: the whole roster in a few milliseconds.

A Django template per row (an include, three radios, the list of reasons,
a dozen lookups) costs about 3 ms, 0.6 s for a 200-member cell. Here what
is the same on every row (labels, the reasons' options, the URL) is built
once per page, and each row is a few escaped strings. The markup is the one
the sheet always had (``sheet.js``, htmx and the browser test rely on it):
``{% sheet_rows rows %}`` on the page, ``{% sheet_row row %}`` for the htmx
answer of one row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chibo.activity.models import Presence
from chibo.activity.selectors import SheetRow

register = template.Library()

_PLACEHOLDER = "__code__"


@dataclass(frozen=True)
class _Kit:
    """What every row of one page shares."""

    url: str  # with _PLACEHOLDER for the member code; "" when the sheet is read-only
    disabled: str
    standing: dict[str, str]
    statuses: list[tuple[str, str]]  # value, escaped label
    reasons: list[tuple[int, str, str]]  # pk, "<option value=..." (open), escaped name
    attendance: str
    reason: str
    note: str
    saved: str
    labels: dict[str, str]  # presence value -> escaped label
    conflict: str
    theirs: str
    yours: str
    keep: str
    use_mine: str


def _kit(context: template.Context) -> _Kit:
    cache = context.render_context
    if "activity_sheet_kit" not in cache:
        meeting = context["meeting"]
        may_change = bool(context.get("may_change"))
        writable = may_change and bool(context.get("open"))
        cache["activity_sheet_kit"] = _Kit(
            url=reverse("activity:row_save", args=[meeting.pk, _PLACEHOLDER]) if writable else "",
            disabled="" if may_change else " disabled",
            standing={
                "attached": escape(_("attached")),
                "full": escape(_("full")),
                "probationary": escape(_("probationary")),
            },
            statuses=[(value, escape(str(label))) for value, label in Presence.choices],
            reasons=[
                (r.pk, f'<option value="{escape(r.code)}"', escape(r.name))
                for r in context["sheet"].reasons
            ],
            attendance=escape(_("Attendance")),
            reason=escape(_("Reason")),
            note=escape(_("Note")),
            saved=escape(_("Saved")),
            labels={value: escape(str(label)) for value, label in Presence.choices},
            conflict=escape(_("Someone else saved this row meanwhile.")),
            theirs=escape(_("Saved now:")),
            yours=escape(_("Your mark, not saved:")),
            keep=escape(_("Keep the saved one")),
            use_mine=escape(_("Save my mark")),
        )
    return cache["activity_sheet_kit"]


def _conflict(kit: _Kit, row: SheetRow, url: str, conflict: dict[str, Any]) -> str:
    """The row saved by someone else meanwhile: what it says now, the mark that was sent, and
    the two ways out (nothing is overwritten until the marker chooses)."""
    code = row.member.member_code
    by = conflict.get("by") or {}
    who = ""
    if by.get("name"):
        when = timezone.localtime(by["at"]).strftime("%d/%m %H:%M") if by.get("at") else ""
        who = f" ({escape(by['name'])}{', ' + when if when else ''})"
    reasons = {_option_code(head): name for _pk, head, name in kit.reasons}
    mine = kit.labels.get(conflict["status"], escape(conflict["status"]))
    if conflict.get("reason"):
        mine += f" — {reasons.get(conflict['reason'], escape(conflict['reason']))}"
    theirs = kit.labels.get(row.status, "")
    if row.reason_id:
        theirs += f" — {next((n for pk, _h, n in kit.reasons if pk == row.reason_id), '')}"
    values = escape(
        json.dumps(
            {
                f"status-{code}": conflict["status"],
                f"reason-{code}": conflict.get("reason", ""),
                f"note-{code}": conflict.get("note", ""),
                f"version-{code}": str(row.version),
            }
        )
    )
    buttons = ""
    if url:
        buttons = (
            f'<button type="button" class="small conflict-mine" hx-post="{url}"'
            f' hx-vals="{values}" hx-target="closest tr" hx-swap="outerHTML">{kit.use_mine}</button>'
            f'<button type="button" class="small secondary outline conflict-keep" hx-get="{url}"'
            f' hx-target="closest tr" hx-swap="outerHTML">{kit.keep}</button>'
        )
    return (
        f'<div class="conflict" role="alert"><strong>{kit.conflict}</strong>{who}'
        f"<br>{kit.theirs} <em>{theirs}</em><br>{kit.yours} <em>{mine}</em>"
        f'<span class="conflict-actions">{buttons}</span></div>'
    )


def _option_code(head: str) -> str:
    """The reason's code from its prepared ``<option value="…"`` head."""
    return head.split('value="', 1)[1].rstrip('"')


def _row(
    kit: _Kit,
    row: SheetRow,
    error: str = "",
    saved: bool = False,
    conflict: dict[str, Any] | None = None,
) -> str:
    code = escape(row.member.member_code)
    name = escape(row.member.full_name)
    entry = row.entry
    standing = kit.standing[
        "attached" if entry.attached else "full" if entry.full else "probationary"
    ]
    htmx = url = ""
    if kit.url:
        url = escape(kit.url.replace(_PLACEHOLDER, quote(row.member.member_code, safe="")))
        htmx = (
            f' hx-post="{url}" hx-trigger="change" hx-target="this" hx-swap="outerHTML"'
            ' hx-include="this"'
        )
    # Each radio precedes its label (``input:checked + label``): on a phone the labels are
    # the big toggles, the radios themselves hidden; on a laptop they look as they always did.
    radios = "".join(
        f'<input type="radio" id="st-{code}-{value}" name="status-{code}" value="{value}"'
        f"{' checked' if row.status == value else ''}{kit.disabled}>"
        f'<label for="st-{code}-{value}" class="choice choice-{value}">{label}</label>'
        for value, label in kit.statuses
    )
    options = "".join(
        f"{head}{' selected' if row.reason_id == pk else ''}>{label}</option>"
        for pk, head, label in kit.reasons
    )
    if conflict is not None:
        state = _conflict(kit, row, url, conflict)
    elif error:
        state = f'<small class="field-error" role="alert">{escape(error)}</small>'
    elif saved:
        state = f'<small class="saved" role="status">✓ {kit.saved}</small>'
    else:
        state = ""
    note_class = " has-note" if row.note else ""
    return (
        f'<tr id="row-{code}" class="sheet-row status-row-{escape(row.status)}{note_class}'
        f'{" conflict-row" if conflict is not None else ""}"{htmx}>'
        # The row's version (optimistic locking, sheet-offline.js) sits with the name: the
        # state cell's content is replaced by the sheet's scripts.
        f'<td class="c-member"><strong>{name}</strong> <code>{code}</code>'
        f'<input type="hidden" name="version-{code}" value="{row.version}"></td>'
        f'<td class="c-standing">{standing}</td>'
        f'<td class="c-presence"><fieldset class="presence" role="radiogroup"'
        f' aria-label="{kit.attendance} {name}">{radios}</fieldset></td>'
        f'<td class="c-reason"><select name="reason-{code}" aria-label="{kit.reason} {name}"'
        f'{kit.disabled}><option value="">—</option>{options}</select></td>'
        f'<td class="c-note"><input type="text" name="note-{code}" value="{escape(row.note)}"'
        f' maxlength="255" aria-label="{kit.note} {name}" placeholder="{kit.note}"{kit.disabled}></td>'
        f'<td class="c-state row-state" aria-live="polite">{state}</td></tr>\n'
    )


@register.simple_tag(takes_context=True)
def sheet_rows(context: template.Context, rows: list[SheetRow]) -> SafeString:
    kit = _kit(context)
    return mark_safe("".join(_row(kit, row) for row in rows))  # noqa: S308 - every value escaped


@register.simple_tag(takes_context=True)
def sheet_row(context: template.Context, row: SheetRow) -> SafeString:
    html = _row(
        _kit(context),
        row,
        context.get("error") or "",
        bool(context.get("saved")),
        context.get("conflict"),
    )
    return mark_safe(html)  # noqa: S308 - every value escaped
