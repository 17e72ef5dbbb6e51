"""Reading the spreadsheets offices already keep: find the header, match columns and values.

A file laid out in chibo's template goes straight through. Any other layout
goes through this layer first, in front of the importers (which it does not
change):

- **Header detection** (``detect``): the header is the first row, among the
  first ``SCAN_ROWS``, whose cells match the most known column names (with or
  without diacritics); title rows above it are skipped. A header on two rows
  with merged cells ("Ngày vào Đảng" over "Dự bị" | "Chính thức") is read as
  "parent – child" names.
- **Column mapping**: every column of the file → a chibo field or "ignore".
  Proposed from the header (the template's headers and ``HEADERS``; then the
  synonyms in ``FIELD_SYNONYMS``) and else from sample values (a column of
  12-digit numbers is the citizen ID); a ``Mapping`` (``--map FILE.json``, a
  saved profile, the web step) confirms or changes each match.
- **Value mapping**: every distinct value of a vocabulary column gets a
  meaning: exact, without diacritics, or a synonym (``columns.ALIASES``: "SV"
  → Sinh viên, "x" → Có mặt; absence reasons: "Ốm" → Ốm đau; org names →
  codes), unless the mapping says otherwise. A value nobody mapped is an
  error listing the allowed values (the importers' own check).

The mapping's JSON (``--map``, profiles, ``import-profile export``) is
described in docs/import.md.
"""

from __future__ import annotations

from chibo.interchange.mapping.analysis import (
    MAX_DISTINCT,
    Analysis,
    ValuePlan,
    analyse,
    describe,
    detect_headers,
    header_signature,
)
from chibo.interchange.mapping.layout import (
    FOOTER_TEXT,
    SCAN_ROWS,
    Layout,
    detect,
    footer_said,
    header_field,
    value_field,
    without_footer,
)
from chibo.interchange.mapping.plan import (
    SAMPLE_ROWS,
    SAMPLES_SHOWN,
    ColumnPlan,
    Plan,
    at_header,
    plan_columns,
    prepare,
)
from chibo.interchange.mapping.spec import FORMAT, Mapping, MappingError
from chibo.interchange.mapping.vocabulary import (
    DASH,
    FIELD_SYNONYMS,
    IGNORED_HEADERS,
    ORG,
    REASON,
    REASON_SYNONYMS,
    VOCAB_FIELDS,
    Choice,
    Vocab,
    vocab_for,
)

__all__ = [
    "DASH",
    "FIELD_SYNONYMS",
    "FOOTER_TEXT",
    "FORMAT",
    "IGNORED_HEADERS",
    "MAX_DISTINCT",
    "ORG",
    "REASON",
    "REASON_SYNONYMS",
    "SAMPLES_SHOWN",
    "SAMPLE_ROWS",
    "SCAN_ROWS",
    "VOCAB_FIELDS",
    "Analysis",
    "Choice",
    "ColumnPlan",
    "Layout",
    "Mapping",
    "MappingError",
    "Plan",
    "ValuePlan",
    "Vocab",
    "analyse",
    "at_header",
    "describe",
    "detect",
    "detect_headers",
    "footer_said",
    "header_field",
    "header_signature",
    "plan_columns",
    "prepare",
    "value_field",
    "vocab_for",
    "without_footer",
]
