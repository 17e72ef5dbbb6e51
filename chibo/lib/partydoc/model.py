"""What a Party document holds (``PartyDoc``: its blocks, lines and signature) and the fixed
wording and lines of its layout (date line, number line, recipients).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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
