"""Vietnamese text folding for search.

NFD does not decompose đ/Đ (U+0111/U+0110), and SQLite's lower() and FTS5
do not fold it either (shared/NOTES.md), so we fold in Python and store the
result in an indexed column: lower → đ→d → NFD → drop combining marks.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase, strip Vietnamese diacritics (đ included), collapse spaces."""
    if not text:
        return ""
    lowered = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``.

    Lets a prefix search be a range (``>= prefix AND < bound``), which uses a
    plain B-tree index on SQLite and PostgreSQL, where ``LIKE 'x%' ESCAPE``
    does not (shared/NOTES.md).
    """
    if not prefix:
        raise ValueError("empty prefix")
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def file_name(*parts: object, ext: str) -> str:
    """A download's name in Vietnamese without diacritics: ``bao-cao-ket-nap-TU-2026.xlsx``.

    Each part loses its marks (đ → d, Đ → D) but keeps its case (org codes,
    document symbols); anything between letters and digits becomes one hyphen.
    Empty parts are left out.
    """
    words = []
    for part in parts:
        text = str(part).replace("đ", "d").replace("Đ", "D")
        text = "".join(
            ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
        )
        text = _NOT_WORD.sub("-", text).strip("-")
        if text:
            words.append(text)
    return f"{'-'.join(words) or 'chibo'}.{ext}"


def mask(value: str) -> str:
    """``0912345689`` → ``0*******89``: enough to recognise, not to use."""
    if not value:
        return ""
    if len(value) <= 3:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 3) + value[-2:]
