"""Party document numbers and symbols (số và ký hiệu), per HD 36-HD/VPTW (3/4/2018).

A symbol is ``N-TYPE/ISSUER``: ``1000-CV/TU``, ``719-CV/BCSĐ``, ``24-QĐ/TW``.
Scanned letters are untidy (``Số 719 -CV/BCSD``): spaces around the dash and
slash are dropped and a type or issuer typed without its Đ (``QD``,
``BCSD``) is matched to the known spelling by folding (đ→d, no accents).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chibo.lib.dates import dmy
from chibo.lib.text import fold

# Abbreviations of party document types (HD 36-HD/VPTW, Phụ lục; the first ten
# are the common ones the guide lists), with their names.
DOC_TYPES: dict[str, object] = {
    "NQ": _("Resolution"),
    "QĐ": _("Decision / Regulation"),
    "CT": _("Directive"),
    "KL": _("Conclusion"),
    "HD": _("Guidance"),
    "KH": _("Plan"),
    "CTr": _("Programme"),
    "CTrHĐ": _("Action programme"),
    "BC": _("Report"),
    "CV": _("Official letter"),
    "TB": _("Notice"),
    "QC": _("Rules of procedure"),
    "TTr": _("Submission"),
    "TT": _("Circular (thông tri)"),
    "BB": _("Minutes"),
    "ĐA": _("Scheme"),
    "CTĐ": _("Telegram"),
    "GM": _("Invitation"),
    "GGT": _("Letter of introduction"),
    "PC": _("Transmittal slip"),
}

# The name of each type as the document's title (HD 36-HD/VPTW "tên loại văn bản"); a
# letter (CV) has none: its subject goes under the number as "V/v …".
TYPE_TITLES: dict[str, str] = {
    "NQ": "NGHỊ QUYẾT",
    "QĐ": "QUYẾT ĐỊNH",
    "CT": "CHỈ THỊ",
    "KL": "KẾT LUẬN",
    "HD": "HƯỚNG DẪN",
    "KH": "KẾ HOẠCH",
    "CTr": "CHƯƠNG TRÌNH",
    "CTrHĐ": "CHƯƠNG TRÌNH HÀNH ĐỘNG",
    "BC": "BÁO CÁO",
    "CV": "",
    "TB": "THÔNG BÁO",
    "QC": "QUY CHẾ",
    "TTr": "TỜ TRÌNH",
    "TT": "THÔNG TRI",
    "BB": "BIÊN BẢN",
    "ĐA": "ĐỀ ÁN",
    "CTĐ": "CÔNG ĐIỆN",
    "GM": "GIẤY MỜI",
    "GGT": "GIẤY GIỚI THIỆU",
    "PC": "PHIẾU CHUYỂN",
}
# Types addressed to someone ("Kính gửi: …"), whose "Nơi nhận" then starts "- Như trên,".
ADDRESSED_TYPES = frozenset({"CV", "TTr", "GGT", "GM"})

# Issuers whose usual spelling has a Đ, so ``BCSD`` reads as ``BCSĐ``.
KNOWN_ISSUERS = (
    "TW",
    "TU",
    "BCSĐ",
    "ĐU",
    "ĐUK",
    "QU",
    "HU",
    "CB",
    "BTCTW",
    "VPTW",
    "BTGTW",
    "UBKTTW",
    "BTCTU",
    "VPTU",
    "BTGTU",
    "UBKTTU",
    "ĐTN",
    "TĐTN",
)

_BY_FOLD_TYPE = {fold(code): code for code in DOC_TYPES}
_BY_FOLD_ISSUER = {fold(code): code for code in KNOWN_ISSUERS}

_SYMBOL = re.compile(
    r"^\s*(?:s[ốo]\s*[:.]?\s*)?(?P<number>\d{1,6})\s*-\s*(?P<type>[^\W\d_]{1,8})"
    r"\s*/\s*(?P<issuer>[^\W_][\w.\-]{0,23})\s*$",
    re.IGNORECASE,
)


class SymbolError(ValueError):
    """The text is not a number and symbol like 1000-CV/TU."""


@dataclass(frozen=True)
class Symbol:
    number: int
    doc_type: str
    issuer: str

    @property
    def text(self) -> str:
        return format_symbol(self.number, self.doc_type, self.issuer)

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def type_known(self) -> bool:
        return self.doc_type in DOC_TYPES


def format_symbol(number: int, doc_type: str, issuer: str) -> str:
    """``(7, "BC", "TU")`` → ``07-BC/TU``: numbers below 10 are written with two digits."""
    return f"{number:02d}-{doc_type}/{issuer}"


def canonical_type(text: str) -> str:
    """``qd`` → ``QĐ``; an unknown type is kept as typed (upper-cased)."""
    return _BY_FOLD_TYPE.get(fold(text), text.strip().upper())


def canonical_issuer(text: str) -> str:
    raw = text.strip()
    return _BY_FOLD_ISSUER.get(fold(raw), raw.upper())


def parse_symbol(text: str) -> Symbol:
    """``"Số 719 -CV/BCSD"`` → ``Symbol(719, "CV", "BCSĐ")``; SymbolError if it is not one."""
    match = _SYMBOL.match(text or "")
    if match is None:
        raise SymbolError(text)
    return Symbol(
        number=int(match["number"]),
        doc_type=canonical_type(match["type"]),
        issuer=canonical_issuer(match["issuer"]),
    )


# A symbol inside running text: "Nghị quyết số 29-NQ/TW ngày 04 tháng 11 năm 2013".
_CITED = re.compile(
    r"(?<![\w/-])(\d{1,6})\s?-\s?([A-Za-zĐđ]{1,8})\s?/\s?([A-Za-zĐđ]{1,12})(?![\w])"
)
# The date that may follow a symbol: "ngày 16 tháng 6 năm 2023", "ngày 16/6/2023", "16-6-2023".
_DATE_AFTER = re.compile(
    r"^\s*,?\s*(?:ngày|ngay)?\s*(?P<d>\d{1,2})\s*(?:tháng|thang|/|-|\.)\s*(?P<m>\d{1,2})"
    r"\s*(?:năm|nam|/|-|\.)\s*(?P<y>\d{4})",
    re.IGNORECASE,
)


def find_symbols(text: str) -> list[Symbol]:
    """Every document symbol named in ``text``, in order of first mention, without repeats."""
    return [ref.symbol for ref in find_references(text)]


@dataclass(frozen=True)
class Reference:
    """A document named by its symbol and, when the text gives it, its date."""

    symbol: Symbol
    day: dt.date | None = None

    @property
    def text(self) -> str:
        if self.day is None:
            return self.symbol.text
        return f"{self.symbol.text} ngày {dmy(self.day)}"


def _date_after(rest: str) -> dt.date | None:
    match = _DATE_AFTER.match(rest)
    if match is None:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def find_references(text: str) -> list[Reference]:
    """The documents named in ``text`` with the dates given next to them, first mention first.

    A symbol named twice, once with its date, keeps the date; numbering restarts
    each term, so the same symbol with two dates is two documents.
    """
    seen: dict[tuple[str, dt.date | None], Reference] = {}
    undated: dict[str, int] = {}
    for match in _CITED.finditer(text or ""):
        number, doc_type, issuer = match.groups()
        symbol = Symbol(int(number), canonical_type(doc_type), canonical_issuer(issuer))
        day = _date_after(text[match.end() : match.end() + 40])
        key = (symbol.folded, day)
        if key in seen:
            continue
        if day is not None and (symbol.folded, None) in seen:
            # "1000-CV/TU" first, "1000-CV/TU ngày …" later: one document, now dated.
            del seen[(symbol.folded, None)]
        if day is None and any(k[0] == symbol.folded for k in seen):
            continue
        seen[key] = Reference(symbol, day)
        undated.setdefault(symbol.folded, len(undated))
    return sorted(seen.values(), key=lambda r: undated[r.symbol.folded])


def parse_reference(text: str) -> Reference:
    """ "01-CV/KDHCD ngày 05/03/2025" or "01-CV/KDHCD" → Reference; SymbolError otherwise."""
    raw = (text or "").strip()
    match = re.search(r"\s(?:ngày|ngay)\s", raw, re.IGNORECASE)
    head, day = raw, None
    if match is not None:
        day = _date_after(raw[match.start() :])
        if day is None:
            raise SymbolError(text)
        head = raw[: match.start()]
    return Reference(parse_symbol(head), day)
