"""A Party document as DOCX, laid out per HD 36-HD/VPTW (3/4/2018), and read back.

Pure python-docx (no Django): callers fill a ``PartyDoc`` with the issuing
body's lines (``orgs.letterhead``), the number and symbol, the body and the
recipients, and get the file's bytes.

Layout: A4, margins 20 mm top and bottom, 30 mm left, 15 mm right, Times New
Roman. A borderless two-column table on top: on the left the issuing body in
capitals (the superior not bold above the issuer in bold), "*" beneath, the
number and symbol ("Số 01-BC/ĐU") and, for a letter, its subject ("V/v …");
on the right "ĐẢNG CỘNG SẢN VIỆT NAM" bold and underlined, then the place
and date in italics. A draft says "DỰ THẢO" and leaves the number blank.
Then "Kính gửi" (letters and submissions), the title, the body, and a second
borderless table: "Nơi nhận:" with its lines on the left, the signature block
on the right (capacity and title in bold capitals, room to sign, the name in
bold).

A value the system does not know is a marked field: text in square brackets
(``[Họ và tên người ký]``), highlighted for the person who fills it in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chibo.lib.dates import dmy

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
DRAFT = "DỰ THẢO"
TO_WHOM = "Kính gửi:"
RECIPIENTS = "Nơi nhận:"
AS_ABOVE = "Như trên"
_MARKED = re.compile(r"(\[[^\[\]]+\])")
SIGN_SPACE = 4  # empty lines left to sign and stamp


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False


@dataclass
class Block:
    """A piece of the body: a paragraph, a heading, a numbered item or a table."""

    kind: str  # "p" | "h" | "item" | "table" | "center"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # table: the first row is the header
    italic: bool = False
    bold: bool = False
    widths: tuple[float, ...] = ()  # table: column widths in cm (empty: even)


def p(text: str, *, italic: bool = False, bold: bool = False) -> Block:
    return Block("p", text, italic=italic, bold=bold)


def h(text: str) -> Block:
    return Block("h", text)


def item(text: str) -> Block:
    return Block("item", text)


def center(text: str, *, bold: bool = False, italic: bool = False) -> Block:
    return Block("center", text, bold=bold, italic=italic)


def table(rows: list[list[str]], widths: tuple[float, ...] = ()) -> Block:
    return Block("table", rows=rows, widths=widths)


def note(text: str) -> Block:
    """A footnote printed after the text (smaller, no indent)."""
    return Block("note", text)


@dataclass
class Signature:
    capacity: str  # "T/M BAN THƯỜNG VỤ", "" when the head signs in their own right
    title: str  # "PHÓ BÍ THƯ"
    name: str  # "Nguyễn Hồ Hải"


@dataclass
class PartyDoc:
    issuer: list[Line]
    symbol: str  # "01-BC/TU"; a draft's is "-BC/TU" (no number yet)
    place: str
    day: dt.date | None
    title: str = ""  # "BÁO CÁO"; a letter (CV) has none
    subtitle: str = ""  # what it is about, under the title
    subject: str = ""  # a letter's "V/v …", under its number
    to: list[str] = field(default_factory=list)  # "Kính gửi" (letters, submissions)
    body: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận", "Lưu …" last
    signature: Signature | None = None
    draft: bool = False
    urgency: str = ""  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"
    footer: str = ""  # e.g. who exported the file and when


BLANK_DAY = "[ngày/tháng/năm]"


def day_or_blank(day: dt.date | None) -> str:
    """A date in a document's text (dd/mm/yyyy), or the blank to fill in by hand."""
    return dmy(day, BLANK_DAY)


def date_line(place: str, day: dt.date | None) -> str:
    """``TP. Hồ Chí Minh, ngày 16 tháng 06 năm 2023`` (a marked field when undated)."""
    if day is None:
        return f"{place}, ngày [  ] tháng [  ] năm [    ]"
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def number_line(symbol: str, draft: bool = False) -> str:
    """``Số 01-BC/TU``; a draft leaves room for the number: ``Số      -BC/TU``."""
    if draft or symbol.startswith("-"):
        return f"Số      {symbol if symbol.startswith('-') else '-' + symbol.split('-', 1)[-1]}"
    return f"Số {symbol}"


def recipient_lines(names: Iterable[str], archive: str, *, as_above: bool) -> list[str]:
    """The "Nơi nhận" lines: "- Như trên," first for a letter with "Kính gửi", the others, then
    "- Lưu …." last (HD 36-HD/VPTW)."""
    lines = [AS_ABOVE] if as_above else []
    lines += [" ".join(n.split()) for n in names if n and n.strip()]
    lines.append(archive)
    return [f"- {text}{'.' if i == len(lines) - 1 else ','}" for i, text in enumerate(lines)]


# --- writing ---------------------------------------------------------------------------


def _no_borders(tbl: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl._tbl.tblPr.append(borders)


def _widths(tbl: Any, widths: tuple[Any, ...]) -> None:
    """Fixed column widths (LibreOffice reads the grid, Word the cells)."""
    tbl.autofit = False
    for column, width in zip(tbl.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _runs(paragraph: Any, text: str, *, size: float, bold: bool, italic: bool, under: bool) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt

    for piece in _MARKED.split(text):
        if not piece:
            continue
        run = paragraph.add_run(piece)
        run.bold, run.italic, run.underline = bold, italic, under
        run.font.size = Pt(size)
        run.font.name = "Times New Roman"
        if _MARKED.fullmatch(piece):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _para(
    where: Any,
    text: str,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    under: bool = False,
    align: str = "left",
    first: bool = False,
    indent: bool = False,
    after: float = 0,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    paragraph = where.paragraphs[0] if first else where.add_paragraph()
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    if indent:
        fmt.first_line_indent = Cm(1)
    _runs(paragraph, text, size=size, bold=bold, italic=italic, under=under)
    return paragraph


def render(doc: PartyDoc) -> bytes:
    """The document as DOCX bytes."""
    import docx
    from docx.shared import Cm, Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)

    head = document.add_table(rows=1, cols=2)
    _no_borders(head)
    _widths(head, (Cm(8.5), Cm(8.7)))
    left, right = head.rows[0].cells
    for i, line in enumerate(doc.issuer):
        _para(left, line.text, size=12, bold=line.bold, align="center", first=i == 0)
    _para(left, "*", size=13, align="center")
    _para(left, number_line(doc.symbol, doc.draft), size=13, align="center")
    if doc.subject:
        _para(left, doc.subject, size=12, italic=True, align="center")
    _para(right, PARTY, size=14, bold=True, under=True, align="center", first=True)
    _para(right, "", size=8)
    _para(right, date_line(doc.place, doc.day), size=12, italic=True, align="center")

    if doc.draft or doc.urgency:
        marks = [m for m in (DRAFT if doc.draft else "", doc.urgency) if m]
        _para(document, "   ".join(marks), size=13, bold=True)
    titled = bool(doc.title or doc.subtitle)
    if doc.to and not titled:  # a letter: "Kính gửi" under the header
        _to_whom(document, doc.to)
    if doc.title:
        _para(document, "", size=8)
        _para(document, doc.title.upper(), size=15, bold=True, align="center")
    if doc.subtitle:
        _para(document, doc.subtitle, size=14, bold=True, align="center")
    if titled:
        _para(document, "-----", size=14, align="center", after=6)
        if doc.to:  # a submission, an introduction: "Kính gửi" under the title
            _to_whom(document, doc.to)
    else:
        _para(document, "", size=8)

    for block in doc.body:
        _block(document, block)

    # The signature never stands alone on a page: the text's last lines go with it.
    for paragraph in document.paragraphs[-2:]:
        paragraph.paragraph_format.keep_with_next = True
    spacer = _para(document, "", size=8)
    spacer.paragraph_format.keep_with_next = True
    sign = document.add_table(rows=1, cols=2)
    _no_borders(sign)
    _widths(sign, (Cm(8), Cm(8.5)))
    _keep_together(sign.rows[0])
    left, right = sign.rows[0].cells
    _para(left, RECIPIENTS, size=14, under=True, first=True)
    for line in doc.recipients:
        _para(left, line, size=12)
    sig = doc.signature or Signature("", "[Chức vụ người ký]", "[Họ và tên người ký]")
    first = True
    if sig.capacity:
        _para(right, sig.capacity, bold=True, align="center", first=True)
        first = False
    _para(right, sig.title or "[Chức vụ người ký]", bold=True, align="center", first=first)
    for _i in range(SIGN_SPACE):
        _para(right, "")
    _para(right, sig.name or "[Họ và tên người ký]", bold=True, align="center")

    if doc.footer:
        footer = section.footer.paragraphs[0]
        footer.text = ""
        _runs(footer, doc.footer, size=9, bold=False, italic=True, under=False)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _keep_together(row: Any) -> None:
    """The row is never split across pages (the signature stays with "Nơi nhận")."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _to_whom(document: Any, names: list[str]) -> None:
    _para(document, "", size=8)
    if len(names) == 1:
        _para(document, f"{TO_WHOM} {names[0]}", size=14, align="center", after=6)
        return
    _para(document, TO_WHOM, size=14, align="center")
    for name in names:
        _para(document, f"- {name},", size=14, indent=True)


def _block(document: Any, block: Block) -> None:
    from docx.shared import Pt

    if block.kind == "h":
        _para(document, block.text, bold=True, align="justify", after=6)
    elif block.kind == "center":
        _para(document, block.text, bold=block.bold, italic=block.italic, align="center", after=6)
    elif block.kind == "table":
        if not block.rows:
            return
        columns = len(block.rows[0])
        grid = document.add_table(rows=0, cols=columns)
        grid.style = "Table Grid"
        for index, row in enumerate(block.rows):
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = ""
                _runs(
                    cell.paragraphs[0], value, size=12, bold=index == 0, italic=False, under=False
                )
        from docx.shared import Cm

        if block.widths and len(block.widths) == columns:
            _widths(grid, tuple(Cm(w) for w in block.widths))
        elif columns == 2:  # an indicator and its figure: room for the words
            _widths(grid, (Cm(12.5), Cm(4)))
        document.add_paragraph().paragraph_format.space_after = Pt(0)
    elif block.kind == "note":
        _para(document, block.text, size=11, align="justify", after=3)
    else:
        for line in [line for line in block.text.splitlines() if line.strip()] or [""]:
            _para(
                document,
                line.strip(),
                bold=block.bold,
                italic=block.italic,
                align="justify",
                indent=True,
                after=6,
            )


# --- reading back (tests, the preview) -------------------------------------------------


@dataclass
class ReadBack:
    issuer: list[str]  # the header's left column above "*"
    symbol_line: str  # "Số 01-BC/TU"
    subject: str
    party: str  # "ĐẢNG CỘNG SẢN VIỆT NAM"
    party_underlined: bool
    date_line: str
    date_italic: bool
    to: list[str]
    paragraphs: list[str]
    recipients: list[str]  # "Nơi nhận" lines after the heading
    signature: list[str]  # non-empty lines of the signature block
    issuer_bold: list[bool]
    tables: list[list[list[str]]]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def read_back(data: bytes) -> ReadBack:
    """The parts of a generated Party document, for checks."""
    import docx

    document = docx.Document(io.BytesIO(data))
    head_left, head_right = document.tables[0].rows[0].cells
    left = [para for para in head_left.paragraphs]
    star = next(i for i, para in enumerate(left) if para.text.strip() == "*")
    issuer = [para.text for para in left[:star]]
    after = [para.text for para in left[star + 1 :] if para.text.strip()]
    right = [para for para in head_right.paragraphs if para.text.strip()]
    sign_left, sign_right = document.tables[-1].rows[0].cells
    paragraphs = [para.text for para in document.paragraphs]
    to: list[str] = []
    for i, text in enumerate(paragraphs):
        if text.startswith(TO_WHOM):
            rest = text[len(TO_WHOM) :].strip()
            if rest:
                to = [rest]
            else:
                for nxt in paragraphs[i + 1 :]:
                    if not nxt.startswith("- "):
                        break
                    to.append(nxt[2:].rstrip(","))
            break
    return ReadBack(
        issuer=issuer,
        symbol_line=after[0] if after else "",
        subject=after[1] if len(after) > 1 else "",
        party=right[0].text,
        party_underlined=bool(right[0].runs and right[0].runs[0].underline),
        date_line=right[-1].text,
        date_italic=bool(right[-1].runs and right[-1].runs[0].italic),
        to=to,
        paragraphs=paragraphs,
        recipients=[para.text for para in sign_left.paragraphs[1:] if para.text.strip()],
        signature=[para.text for para in sign_right.paragraphs if para.text.strip()],
        issuer_bold=[bool(para.runs and para.runs[0].bold) for para in left[:star]],
        tables=[
            [[cell.text for cell in row.cells] for row in tbl.rows] for tbl in document.tables[1:-1]
        ],
    )
