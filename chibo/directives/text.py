"""A document's text as the Party writes it: paragraphs, and footnotes kept apart.

Text taken from a PDF or a scan comes in page by page: a footnote printed at the
foot of a page (``¹ Từ năm 2020 đến nay…``) lands in the middle of a sentence, and
a sentence cut by the page break becomes two paragraphs. ``tidy`` puts the text
back together — paragraphs kept, a paragraph cut by a page break rejoined,
footnotes moved after the text — and ``split`` reads it back for a page (the
``document_text`` filter: paragraphs as ``<p>``, footnotes as footnotes, the
markers ``¹ ² ³`` linked to them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOOTNOTE = re.compile(rf"^([{SUPERSCRIPTS}]+)\s+(\S.*)$", re.S)
# A paragraph ends a sentence, a list item or a heading with one of these.
_ENDS = (".", ":", ";", "!", "?", "…", '"', "”", ")")


@dataclass
class Text:
    paragraphs: list[str] = field(default_factory=list)
    footnotes: list[tuple[str, str]] = field(default_factory=list)  # (marker, text)


def _paragraphs(raw: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw or "") if p.strip()]


def split(raw: str) -> Text:
    """Paragraphs (blank-line separated) and footnotes (paragraphs starting with ``¹``…)."""
    out = Text()
    for para in _paragraphs(raw):
        match = _FOOTNOTE.match(para)
        if match:
            out.footnotes.append((match[1], match[2]))
        else:
            out.paragraphs.append(para)
    return out


def tidy(raw: str) -> str:
    """Paragraphs kept, page breaks mended, footnotes after the text (one blank line apart)."""
    parts = split(raw)
    mended: list[str] = []
    for para in parts.paragraphs:
        # A page break cut the sentence: the previous paragraph does not end it and this one
        # goes on in lower case ("… toàn diện" / "giáo dục và đào tạo, …").
        if mended and not mended[-1].endswith(_ENDS) and para[:1].islower():
            mended[-1] = f"{mended[-1]} {para}"
        else:
            mended.append(para)
    notes = [f"{marker} {text}" for marker, text in parts.footnotes]
    return "\n\n".join([*mended, *notes])
