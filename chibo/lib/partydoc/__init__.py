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

from chibo.lib.partydoc.model import (
    AS_ABOVE,
    BLANK_DAY,
    DRAFT,
    PARTY,
    RECIPIENTS,
    SIGN_SPACE,
    TO_WHOM,
    Block,
    Line,
    PartyDoc,
    Signature,
    center,
    date_line,
    day_or_blank,
    h,
    item,
    note,
    number_line,
    p,
    recipient_lines,
    table,
)
from chibo.lib.partydoc.reading import ReadBack, read_back
from chibo.lib.partydoc.writing import render

__all__ = [
    "AS_ABOVE",
    "BLANK_DAY",
    "DRAFT",
    "PARTY",
    "RECIPIENTS",
    "SIGN_SPACE",
    "TO_WHOM",
    "Block",
    "Line",
    "PartyDoc",
    "ReadBack",
    "Signature",
    "center",
    "date_line",
    "day_or_blank",
    "h",
    "item",
    "note",
    "number_line",
    "p",
    "read_back",
    "recipient_lines",
    "render",
    "table",
]
