"""References between documents: parsed from the text, resolved, linked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.directives.models import (
    Direction,
    Document,
    DocumentLink,
    LinkKind,
)
from chibo.directives.symbols import (
    Reference,
    SymbolError,
    find_references,
    parse_reference,
)


def _reference(text: str) -> Reference:
    try:
        return parse_reference(text)
    except SymbolError as exc:
        raise ValidationError(
            {"links": [_("“%(text)s” is not a document number and symbol.") % {"text": text}]}
        ) from exc


def resolve_reference(document: Document, ref: Reference) -> tuple[Document | None, bool]:
    """The register entry ``document`` means by ``ref``, and whether that is ambiguous.

    Numbers restart each term, so a symbol alone can name several documents.
    Looked for first in the referencing org's own register (a unit's forward of
    1000-CV/TU means the unit's incoming copy, not the city's), then anywhere;
    by the date when the reference gives one, else among documents dated on or
    before ``document``. Copies of one document (same symbol and date in
    several registers) are one document: the issuer's own is preferred. Two or
    more dates left means ambiguous: the latest is taken and the link marked.
    """
    same = Document.objects.filter(symbol_folded=ref.symbol.folded)
    if document.pk:
        same = same.exclude(pk=document.pk)
    if ref.day is not None:
        same = same.filter(issued_on=ref.day)
    elif same.filter(issued_on__lte=document.issued_on).exists():
        same = same.filter(issued_on__lte=document.issued_on)
    own = same.filter(org=document.org)
    pool = own if own.exists() else same
    candidates = list(pool.order_by("-issued_on", "direction", "id")[:50])
    if not candidates:
        return None, False
    dates = {c.issued_on for c in candidates}
    best_date = max(dates)
    same_day = [c for c in candidates if c.issued_on == best_date]
    outgoing = [c for c in same_day if c.direction == Direction.OUTGOING]
    return (outgoing or same_day)[0], len(dates) > 1


def record_link(
    document: Document, text: str, kind: str, *, target: Document | None = None
) -> DocumentLink | None:
    """Link ``document`` to the document ``text`` names ("1000-CV/TU", "01-CV/KDHCD ngày
    05/03/2025"); ``target`` when the caller knows it."""
    ref = _reference(text)
    if ref.symbol.folded == document.symbol_folded and (
        ref.day is None or ref.day == document.issued_on
    ):
        return None
    ambiguous = False
    if target is None:
        target, ambiguous = resolve_reference(document, ref)
    link, _created = DocumentLink.objects.get_or_create(
        source=document,
        target_folded=ref.symbol.folded,
        target_date=ref.day,
        kind=kind,
        defaults={"target": target, "target_symbol": ref.symbol.text, "ambiguous": ambiguous},
    )
    return link


def _backfill_links(document: Document) -> None:
    """Earlier documents that named this one, and found nothing then, now point at it
    (when the date they gave, if any, is this one's)."""
    waiting = DocumentLink.objects.filter(
        target__isnull=True, target_folded=document.symbol_folded
    ).filter(Q(target_date__isnull=True) | Q(target_date=document.issued_on))
    waiting.update(target=document)


def document_link(
    *, actor: Any, document: Document, target_symbol: str, kind: str
) -> DocumentLink | None:
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [_("Choose how the documents are linked.")]})
    with transaction.atomic():
        link = record_link(document, target_symbol, kind)
        audit.record(
            actor=actor,
            action="directives.link",
            object_type="document",
            object_id=document.pk,
            data={"target": target_symbol, "kind": kind},
        )
    return link


def cited_symbols(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """The documents named in a text, with their dates when given (to propose as "cites")."""
    skip = {_reference(s).symbol.folded for s in exclude}
    return [r.text for r in find_references(text) if r.symbol.folded not in skip]
