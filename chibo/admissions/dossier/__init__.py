"""The admission dossier, generated: the documents a cell and its committees write by hand for
every admission, as Party documents (HD 36-HD/VPTW), from what chibo records.

1. the cell's resolution proposing admission, with the vote figures (6-KNĐ);
2. the grassroots committee's resolution (8-KNĐ) — for a cell under a grassroots
   committee; a grassroots cell is its own grassroots level;
3. the decision on admission (9-KNĐ), by the committee above the grassroots level;
4. the cell's resolution proposing recognition as a full member;
5. the decision on recognition.

Each is issued by its body as the tree stood on the step's date, and numbered in that
body's register and term (``directives.services.document_issue``; a number recorded on
the step, e.g. the decision's "128-QĐ/ĐUK", is kept when it fits the register's
sequence). The register entry is made once (``Document.source``
"admissions.candidate:<id>:<kind>") by someone who keeps that body's register;
anyone who may see the candidate downloads the DOCX. What chibo does not know (the
cell's assessment of the candidate's merits, the committee's own vote, the home town)
is a marked field, "[…]", to fill in by hand.
"""

from __future__ import annotations

from chibo.admissions.dossier.kinds import (
    CELL_RESOLUTION,
    DECISION,
    GRASSROOTS_RESOLUTION,
    KINDS,
    RECOGNITION_DECISION,
    RECOGNITION_RESOLUTION,
    Levels,
    issuer_of,
    levels_on,
    source_of,
)
from chibo.admissions.dossier.register import Entry, dossier_issue, entries
from chibo.admissions.dossier.text import body_of, dossier_docx

__all__ = [
    "CELL_RESOLUTION",
    "DECISION",
    "GRASSROOTS_RESOLUTION",
    "KINDS",
    "RECOGNITION_DECISION",
    "RECOGNITION_RESOLUTION",
    "Entry",
    "Levels",
    "body_of",
    "dossier_docx",
    "dossier_issue",
    "entries",
    "issuer_of",
    "levels_on",
    "source_of",
]
