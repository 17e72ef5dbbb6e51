"""Writing a ``PartyDoc`` as DOCX (``render``), laid out per HD 36-HD/VPTW."""

from __future__ import annotations

import io
from typing import Any

from chibo.lib.partydoc.model import (
    _MARKED,
    DRAFT,
    PARTY,
    RECIPIENTS,
    SIGN_SPACE,
    TO_WHOM,
    Block,
    PartyDoc,
    Signature,
    date_line,
    number_line,
)

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
    for recipient in doc.recipients:
        _para(left, recipient, size=12)
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
