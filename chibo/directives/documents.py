"""An outgoing document of the register as a Party document (DOCX, HD 36-HD/VPTW).

The header, symbol, signature and recipients come from the document and its
issuing body as the tree stood on the document's date (``orgs.letterhead``),
never from the city's template: a cell's resolution reads "ĐẢNG BỘ TRƯỜNG … /
CHI BỘ …", "T/M CHI BỘ / BÍ THƯ", "Lưu Chi bộ". "Kính gửi" lists the
document's addressees (letters, submissions, introductions); "Nơi nhận"
starts "Như trên" after them, lists the copies and ends with "Lưu" and the
issuing body's office.
"""

from __future__ import annotations

from collections.abc import Iterable

from chibo.directives import text as document_text
from chibo.directives.models import Document, IssuingUnit, RecipientKind
from chibo.directives.symbols import ADDRESSED_TYPES, TYPE_TITLES
from chibo.lib import partydoc
from chibo.orgs import letterhead

URGENCY_MARKS = {"urgent": "KHẨN", "express": "HỎA TỐC"}


def _recipient_name(name: str, copies: int) -> str:
    return f"{name} ({copies}b)" if copies > 1 else name


def recipient_parts(document: Document) -> tuple[list[str], list[str]]:
    """("Kính gửi" lines, "Nơi nhận" lines) from the document's recipients."""
    rows = list(document.recipients.all()) if document.pk else []  # a draft is not saved
    addressed = document.doc_type in ADDRESSED_TYPES
    to = [r.name for r in rows if r.kind == RecipientKind.TO] if addressed else []
    others = [
        _recipient_name(r.name, r.copies)
        for r in rows
        if not (addressed and r.kind == RecipientKind.TO)
    ]
    unit = document.issuing_unit or IssuingUnit.COMMITTEE
    archive = letterhead.archive_line(document.org, unit)
    lines = partydoc.recipient_lines(others, archive, as_above=bool(to))
    return to, lines


def party_doc(
    document: Document,
    *,
    body: Iterable[partydoc.Block] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    draft: bool = False,
    to: list[str] | None = None,
    recipients: list[str] | None = None,
) -> partydoc.PartyDoc:
    """The ``PartyDoc`` of an outgoing ``document`` (its text as paragraphs unless ``body``)."""
    org = document.org
    unit = document.issuing_unit or IssuingUnit.COMMITTEE
    own_to, own_recipients = recipient_parts(document)
    type_title = TYPE_TITLES.get(document.doc_type, "")
    is_letter = not type_title
    blocks = list(body) if body is not None else text_blocks(document.body)
    symbol = document.symbol if not draft else f"-{document.doc_type}/{document.issuer_code}"
    return partydoc.PartyDoc(
        issuer=[
            partydoc.Line(line.text, line.bold)
            for line in letterhead.header_lines(org, document.issued_on, unit)
        ],
        symbol=symbol,
        place=letterhead.place_name(org),
        day=document.issued_on,
        title=type_title if title is None else title,
        subtitle=("" if is_letter else document.title) if subtitle is None else subtitle,
        subject=f"V/v {lower_first(document.title)}" if is_letter else "",
        to=own_to if to is None else to,
        body=blocks,
        recipients=own_recipients if recipients is None else recipients,
        signature=partydoc.Signature(
            document.signature_for, document.signer_title.upper(), document.signer
        ),
        draft=draft,
        urgency=URGENCY_MARKS.get(document.urgency, ""),
    )


def lower_first(text: str) -> str:
    """ "Về tăng cường …" → "tăng cường …" after "V/v" (the subject is written without "Về")."""
    words = text.strip()
    for prefix in ("V/v ", "v/v ", "Về ", "về "):
        if words.startswith(prefix):
            words = words[len(prefix) :]
    return words[:1].lower() + words[1:] if words[:2] != words[:2].upper() else words


def document_docx(document: Document) -> bytes:
    """An outgoing document's DOCX in the Party's format (its stored text as the body)."""
    return partydoc.render(party_doc(document))


def text_blocks(raw: str) -> list[partydoc.Block]:
    """A stored text as paragraphs, its footnotes after it (``directives.text``)."""
    parts = document_text.split(raw or "")
    blocks = [partydoc.p(paragraph) for paragraph in parts.paragraphs]
    blocks += [partydoc.note(f"{marker} {note}") for marker, note in parts.footnotes]
    return blocks or [partydoc.p("")]
