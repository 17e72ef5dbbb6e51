"""Reading a rendered document back (``read_back``: the tests and the preview)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from chibo.lib.partydoc.model import TO_WHOM

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
