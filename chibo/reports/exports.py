"""XLSX and DOCX renderings of a report's tables.

XLSX: one sheet per table, typed cells (counts as integers, shares as
fractions formatted ``0.00%``), Vietnamese headers. DOCX: a report (BC) of
the org in the Party's document format (HD 36-HD/VPTW, ``chibo.lib.partydoc``):
its header from the tree as of the day, its number left blank for the register,
tables with Vietnamese number formats (``1.065``, ``5,16%``, ``1.234.567 đ``),
"Nơi nhận" and the org's signature block (signer chosen at export).

Every file carries who exported it and when (``Stamp``): XLSX in the
document properties and each sheet's printed footer
(``interchange.export.stamp_xlsx``), DOCX in the core properties and a
footer line "Xuất bởi … lúc …".
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.core.spreadsheet import Book
from chibo.lib import numbers
from chibo.reports.tables import INT, MONEY, PCT, TEXT, ReportDoc


@dataclass(frozen=True)
class Stamp:
    """Who exported a file and when."""

    by: str
    at: dt.datetime

    @property
    def local(self) -> dt.datetime:
        return timezone.localtime(self.at)

    def line(self) -> str:
        """ "Xuất bởi <user> lúc dd/mm/yyyy HH:MM" (in the active language)."""
        return _("Exported by %(user)s at %(time)s") % {
            "user": self.by,
            "time": f"{self.local:%d/%m/%Y %H:%M}",
        }


def stamp_for(actor: Any, at: dt.datetime | None = None) -> Stamp:
    """The stamp of an export by ``actor`` (None: the ``report`` command, as the system)."""
    at = at or timezone.now()
    if actor is None:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment
            who = ""
        label = _("system")
        return Stamp(f"{label} ({who})" if who else label, at)
    username = getattr(actor, "username", "") or str(actor)
    full = actor.get_full_name().strip() if hasattr(actor, "get_full_name") else ""
    return Stamp(f"{full} ({username})" if full else username, at)


def vn_int(value: int) -> str:
    """``1065`` → ``1.065`` (Vietnamese groups thousands with dots)."""
    return numbers.vn_int(value)


def vn_pct(value: Decimal | float) -> str:
    """``5.16`` → ``5,16%`` (half-up to 2 decimals: ``chibo.lib.numbers``)."""
    return numbers.vn_pct(value)


def vn_money(value: int) -> str:
    """``1234567`` → ``1.234.567 đ``."""
    return f"{vn_int(int(value))} đ"


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return vn_money(value)
    if kind == PCT or isinstance(value, Decimal):
        return vn_pct(value)
    if kind == INT or isinstance(value, int):
        return vn_int(int(value))
    return str(value)


# Each kind's number format in XLSX: counts and đồng as integers, shares as fractions.
_FORMATS = {MONEY: '#,##0 "đ"', PCT: "0.00%", INT: "#,##0"}


def _xlsx_value(value: Any, kind: str, styles: dict[str, int]) -> tuple[Any, int | None]:
    """A typed cell: counts as integers, shares as fractions (``0.00%``), đồng as integers."""
    if value is None:
        return None, None
    if kind == MONEY:
        return int(value), styles[MONEY]
    if kind == PCT or isinstance(value, Decimal):
        return float(Decimal(str(value)) / 100), styles[PCT]
    if isinstance(value, int):
        return int(value), styles[INT]
    return str(value), None


def _typed_cells(table: Any, styles: dict[str, int]) -> Iterable[list[tuple[Any, int | None]]]:
    """``table``'s rows as ``(value, style)`` cells (``_xlsx_value``). A city's table repeats
    its numbers (thousands of units, a few distinct counts and shares): each number is typed
    once, keyed by its kind, its type and itself (equal numbers of one type type alike)."""
    typed: dict[tuple[str, type, Any], tuple[Any, int | None]] = {}
    for row in table.typed_rows:
        cells = []
        for value, kind in row:
            if value.__class__ in (int, Decimal):
                key = (kind, value.__class__, value)
                cell = typed.get(key)
                if cell is None:
                    cell = typed[key] = _xlsx_value(value, kind, styles)
            else:
                cell = _xlsx_value(value, kind, styles)
            cells.append(cell)
        yield cells


def to_xlsx(doc: ReportDoc, *, stamp: Stamp) -> bytes:
    """One sheet per table: the title, the table's name and period, the headers, then the typed
    rows; the first three rows frozen. A write-only workbook whose rows are written as XML
    (``Sheet.extend``): a city's report has tens of thousands of cells."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Book(write_only=True)
    title_font = Font(bold=True, size=13)
    header = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="ECEAE6"),
        "alignment": Alignment(wrap_text=True, vertical="top"),
    }
    used: set[str] = set()
    for index, table in enumerate(doc.tables, start=1):
        name = table.title[:28] or f"Bảng {index}"
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        if name in used:
            name = f"{name[:25]} {index}"
        used.add(name)
        ws = book.sheet(name)
        # A write-only sheet takes its layout before its rows.
        for col, (_header, kind) in enumerate(table.columns, start=1):
            ws.ws.column_dimensions[get_column_letter(col)].width = 44 if kind == TEXT else 16
        ws.ws.freeze_panes = "A4"
        ws.append([ws.styled(f"{doc.title} — {doc.org_name} ({doc.org_code})", font=title_font)])
        ws.append([f"{table.title} · {doc.subtitle}"])
        ws.append([ws.styled(head, **header) for head, _kind in table.columns])
        styles = {kind: ws.style(number_format=fmt) for kind, fmt in _FORMATS.items()}
        ws.extend(_typed_cells(table, styles))
    _stamp_sheets(book.wb, stamp)
    return book.save()


def _stamp_sheets(wb: Any, stamp: Stamp) -> None:
    """Properties and the first sheet's footer by ``stamp_xlsx``; the same footer on every sheet."""
    from chibo.interchange.export import stamp_xlsx

    first = wb.worksheets[0]
    stamp_xlsx(wb, first, exported_by=stamp.by, exported_at=stamp.at)
    for ws in wb.worksheets[1:]:
        ws.oddFooter.left.text = first.oddFooter.left.text
        ws.oddFooter.right.text = first.oddFooter.right.text


@dataclass(frozen=True)
class Signing:
    """Who signs the report and to whom it goes (chosen at export; blanks are marked fields)."""

    signer: str = ""
    signer_title: str = ""
    signature_for: str | None = None  # None: the issuing body's usual block
    recipients: tuple[str, ...] = ()  # empty: the superior committee


def default_recipients(org: Any, day: dt.date) -> list[str]:
    """A report goes up: to the standing board of the committee above (as the tree stood on
    ``day``), or, at the root, to the committee's standing members."""
    from chibo.orgs import letterhead

    standing = letterhead.standing_on(org, day)
    if standing.parent is None:
        return [letterhead.standing_committee(org)]
    return [letterhead.standing_board(standing.parent, day)]


def to_docx(
    doc: ReportDoc,
    *,
    stamp: Stamp,
    org: Any,
    today: dt.date | None = None,
    signing: Signing | None = None,
) -> bytes:
    """The report as a Party document of ``org`` (HD 36-HD/VPTW): its header from the tree as of
    ``today``, the number left blank for the register ("Số    -BC/ĐU"), "Nơi nhận" from the
    recipients and "Lưu" the org's office, the signature block of ``org`` with the signer chosen
    at export (marked fields to fill in when not given)."""
    from chibo.lib import partydoc
    from chibo.orgs import letterhead

    today = today or dt.date.today()
    signing = signing or Signing()
    with translation.override("vi"):
        capacity = (
            signing.signature_for
            if signing.signature_for is not None
            else letterhead.capacities(org)[0].text
        )
        capacity, title = letterhead.check_signature(
            org, "committee", capacity, signing.signer_title
        )
        body: list[partydoc.Block] = [partydoc.center(doc.subtitle, italic=True)]
        for table in doc.tables:
            body.append(partydoc.h(table.title))
            rows = [[head for head, _kind in table.columns]]
            rows += [[cell_text(value, kind) for value, kind in row] for row in table.typed_rows]
            body.append(partydoc.table(rows, _column_widths([k for _h, k in table.columns])))
        recipients = list(signing.recipients) or default_recipients(org, today)
        abbreviation = org.abbreviation or letterhead.default_abbreviation(org.name, org.kind)
        document = partydoc.PartyDoc(
            issuer=[
                partydoc.Line(line.text, line.bold) for line in letterhead.header_lines(org, today)
            ],
            symbol=f"-BC/{abbreviation}",
            place=letterhead.place_name(org),
            day=today,
            title="BÁO CÁO",
            subtitle=doc.title,
            body=body,
            recipients=partydoc.recipient_lines(
                recipients, letterhead.archive_line(org), as_above=False
            ),
            signature=partydoc.Signature(capacity, title, signing.signer.strip()),
            footer=stamp.line(),
        )
        data = partydoc.render(document)
    return _stamped(data, stamp)


TEXT_WIDTH_CM = 16.5  # A4 less the 30 mm and 15 mm margins


def _column_widths(kinds: list[str]) -> tuple[float, ...]:
    """Counts and shares in narrow columns ("100,00%" on one line), the words (unit names,
    indicators) in what is left."""
    fixed = {INT: 1.5, PCT: 2.1, MONEY: 2.9}
    words = sum(1 for kind in kinds if kind not in fixed)
    if not words:
        return ()
    figures = sum(fixed[kind] for kind in kinds if kind in fixed)
    text = max(2.5, (TEXT_WIDTH_CM - figures) / words)
    return tuple(round(fixed.get(kind, text), 2) for kind in kinds)


def _stamped(data: bytes, stamp: Stamp) -> bytes:
    """The DOCX with its author and comments set to the stamp (the footer already says it)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    props = document.core_properties
    props.author = props.last_modified_by = stamp.by
    props.created = props.modified = stamp.local.replace(tzinfo=None)
    props.comments = stamp.line()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
