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

import contextlib
import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from django.utils.translation import gettext as _

from chibo.interchange import columns as C
from chibo.interchange.reader import Table
from chibo.lib.text import fold

FORMAT = "chibo-import-mapping/1"
SCAN_ROWS = 30  # rows searched for the header
SAMPLE_ROWS = 200  # rows whose values propose a column's field
SAMPLES_SHOWN = 5  # first values shown per column in the mapping step
MAX_DISTINCT = 200  # distinct values listed per vocabulary column
DASH = " – "  # parent – child (two-row headers)

# --- words people use -------------------------------------------------------------------

# Other headers for a field, per kind of file (a spelling may mean different
# fields in different kinds: "Tình trạng" is a member's status, or attendance).
FIELD_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    C.MEMBERS: {
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên", "Mã số ĐV", "Mã hồ sơ"),
        "ho_ten": ("Họ và tên đảng viên", "Tên đảng viên", "Họ tên đảng viên", "Họ, tên"),
        "ngay_sinh": (
            "Sinh ngày",
            "Ngày tháng năm sinh",
            "Ngày, tháng, năm sinh",
            "Ngày/tháng/năm sinh",
        ),
        "gioi_tinh": ("Nam/Nữ", "Nam, Nữ", "Phái"),
        "ma_to_chuc": (
            "Chi bộ",
            "Mã chi bộ",
            "Tên chi bộ",
            "Chi bộ sinh hoạt",
            "Đơn vị",
            "Tổ chức đảng",
        ),
        "doi_tuong": ("Thành phần", "Đối tượng đảng viên", "Đối tượng hiện nay"),
        "ngay_vao_dang": (
            "Ngày kết nạp",
            "Ngày kết nạp Đảng",
            "Ngày vào Đảng dự bị",
            f"Ngày vào Đảng{DASH}Dự bị",
            f"Ngày kết nạp{DASH}Dự bị",
            f"Ngày vào Đảng{DASH}Kết nạp",
        ),
        "ngay_chinh_thuc": (
            "Ngày vào Đảng chính thức",
            "Ngày công nhận chính thức",
            "Ngày chuyển chính thức",
            f"Ngày vào Đảng{DASH}Chính thức",
            f"Ngày kết nạp{DASH}Chính thức",
        ),
        "so_the_dang": ("Số thẻ", "Số thẻ ĐV", "Số thẻ đảng viên"),
        "so_cccd": (
            "CCCD",
            "Căn cước công dân",
            "CMND/CCCD",
            "Số CMND/CCCD",
            "Số định danh",
            "Số định danh cá nhân",
        ),
        "so_dien_thoai": ("Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động", "Di động"),
        "trang_thai": ("Tình trạng", "Tình trạng sinh hoạt", "Trạng thái sinh hoạt"),
        "ngay_thay_doi_trang_thai": ("Ngày thay đổi", "Ngày chuyển trạng thái"),
        "ngay_tot_nghiep_du_kien": ("Ngày tốt nghiệp", "Dự kiến tốt nghiệp"),
        "ma_to_chuc_ket_nap": ("Chi bộ kết nạp", "Nơi kết nạp"),
        "doi_tuong_khi_ket_nap": ("Thành phần khi kết nạp",),
    },
    C.ATTENDANCE: {
        "ma_to_chuc": ("Chi bộ", "Mã chi bộ", "Tên chi bộ"),
        "ngay_hop": ("Ngày sinh hoạt", "Ngày", "Buổi họp"),
        "loai_hop": ("Loại sinh hoạt", "Hình thức sinh hoạt"),
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên"),
        "tinh_trang": ("Điểm danh", "Tham dự", "Có mặt"),
        "ly_do": ("Lý do vắng", "Lý do vắng mặt"),
    },
    C.ORGS: {
        "ma_to_chuc": ("Mã", "Mã đơn vị"),
        "ten_to_chuc": ("Tên", "Tên đơn vị", "Tên chi bộ", "Tên tổ chức đảng"),
        "ma_to_chuc_cap_tren": ("Cấp trên", "Mã cấp trên", "Trực thuộc"),
        "loai_to_chuc": ("Loại",),
        "cap_hoc": ("Bậc học", "Cấp"),
    },
    C.DUES: {
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên"),
        "thang": ("Tháng đóng", "Kỳ"),
        "so_tien": ("Số tiền đóng", "Đảng phí", "Mức đóng"),
        "ngay_nop": ("Ngày đóng",),
    },
}

# Headers of columns chibo does not read, proposed as "ignore" without a warning.
IGNORED_HEADERS = ("STT", "TT", "Số TT", "Số thứ tự", "Ghi chú", "Chữ ký", "Ký tên")

# Which fields hold a vocabulary, per kind: a ``columns.VOCABS`` name, or ORG
# (org codes: also matched by name) or REASON (the configured absence reasons).
ORG, REASON = "@org", "@reason"
VOCAB_FIELDS: dict[str, dict[str, str]] = {
    C.MEMBERS: {
        "gioi_tinh": "gioi_tinh",
        "doi_tuong": "doi_tuong",
        "doi_tuong_khi_ket_nap": "doi_tuong",
        "trang_thai": "trang_thai",
        "ma_to_chuc": ORG,
        "ma_to_chuc_ket_nap": ORG,
    },
    C.ORGS: {"loai_to_chuc": "loai_to_chuc", "cap_hoc": "cap_hoc", "loai_hinh": "loai_hinh"},
    C.ATTENDANCE: {
        "ma_to_chuc": ORG,
        "loai_hop": "loai_hop",
        "tinh_trang": "tinh_trang",
        "ly_do": REASON,
    },
    C.DUES: {},
}

# Absence reasons by what people write (folded) → the reason's code (activity migration 0002).
REASON_SYNONYMS = {
    "om": "illness",
    "benh": "illness",
    "om dau": "illness",
    "nam vien": "illness",
    "dieu tri": "illness",
    "cong tac": "work_duty",
    "di cong tac": "work_duty",
    "ban cong tac": "work_duty",
    "di hoc": "study_away",
    "hoc xa": "study_away",
    "tap huan": "study_away",
    "gia dinh": "family",
    "viec nha": "family",
    "viec rieng": "family",
    "viec gia dinh": "family",
}


def _folded_header(text: Any) -> str:
    return C.header_key(text)


_SYNONYM_KEYS: dict[str, dict[str, str]] = {
    kind: {_folded_header(s): name for name, spellings in fields.items() for s in spellings}
    for kind, fields in FIELD_SYNONYMS.items()
}
_IGNORED = {_folded_header(h) for h in IGNORED_HEADERS}


class MappingError(ValueError):
    """A mapping (``--map`` file, profile) that cannot be used; the message says why."""


# --- the mapping ---------------------------------------------------------------------------


@dataclass
class Mapping:
    """What a user confirmed: header row(s), each column's field, each value's meaning.

    ``columns``: the file's header (as shown: "parent – child" for two-row
    headers) → field key, or "" to ignore. ``values``: field key → {the file's
    value → chibo's value (a label, an org code, an absence reason)}. Both
    are matched without case and diacritics. ``header_row`` None: detected.
    """

    kind: str
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    header_row: int | None = None
    header_rows: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kind": self.kind,
            "header_row": self.header_row,
            "header_rows": self.header_rows,
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items() if v},
        }

    @classmethod
    def from_json(cls, data: Any, kind: str | None = None) -> Mapping:
        """Read and check a mapping; ``MappingError`` (Vietnamese) for anything unusable."""
        if not isinstance(data, dict):
            raise MappingError(_("The mapping file must hold a JSON object."))
        found = data.get("kind") or kind
        if found not in C.KINDS or (kind and found != kind):
            raise MappingError(
                _("This mapping is for another kind of file (%(found)s), not %(kind)s.")
                % {"found": found, "kind": kind}
            )
        fields = {col.name for col in C.COLUMNS[found]}
        columns: dict[str, str] = {}
        raw_columns = data.get("columns") or {}
        if not isinstance(raw_columns, dict):
            raise MappingError(_("«columns» must map each header of the file to a field."))
        for header, target in raw_columns.items():
            key = _field_key(target, found) if target else ""
            if target and key not in fields:
                raise MappingError(
                    _(
                        "Unknown field %(field)s for column «%(header)s»; the fields are: %(fields)s."
                    )
                    % {
                        "field": f"«{target}»",
                        "header": header,
                        "fields": ", ".join(sorted(fields)),
                    }
                )
            columns[str(header)] = key
        values: dict[str, dict[str, str]] = {}
        raw_values = data.get("values") or {}
        if not isinstance(raw_values, dict):
            raise MappingError(_("«values» must map each field to its values."))
        vocab_fields = VOCAB_FIELDS[found]
        for name, pairs in raw_values.items():
            key = _field_key(name, found)
            if key not in vocab_fields or not isinstance(pairs, dict):
                raise MappingError(
                    _("Values can be mapped only for these fields: %(fields)s.")
                    % {"fields": ", ".join(vocab_fields) or "—"}
                )
            vocab = vocab_fields[key]
            checked: dict[str, str] = {}
            for source, target in pairs.items():
                if vocab in (ORG, REASON) or not target:
                    checked[str(source)] = str(target or "")
                    continue
                if C.vocab_value(vocab, str(target)) is None:
                    raise MappingError(
                        _("«%(value)s» is not a value of %(field)s; choose one of: %(choices)s.")
                        % {
                            "value": target,
                            "field": C.header_of(key),
                            "choices": ", ".join(C.VOCABS[vocab]),
                        }
                    )
                checked[str(source)] = _canonical(vocab, str(target))
            values[key] = checked
        header_row = data.get("header_row")
        header_rows = data.get("header_rows") or 1
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise MappingError(_("«header_row» must be a row number (1, 2, …) or null."))
        if header_rows not in (1, 2):
            raise MappingError(_("«header_rows» must be 1 or 2."))
        return cls(found, columns, values, header_row, header_rows)

    @classmethod
    def load(cls, path: str, kind: str | None = None) -> Mapping:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise MappingError(_("The mapping file cannot be opened.")) from exc
        except ValueError as exc:
            raise MappingError(
                _("The mapping file is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        return cls.from_json(data, kind)


def _field_key(target: Any, kind: str) -> str:
    """A field given by its key (``ho_ten``) or its header (``Họ và tên``)."""
    key = C.header_key(target)
    if key in {col.name for col in C.COLUMNS[kind]}:
        return key
    return str(target)


def _canonical(vocab: str, label: str) -> str:
    value = C.vocab_value(vocab, label)
    return C.vocab_label(vocab, value) if value else label


# --- vocabularies -------------------------------------------------------------------------


@dataclass
class Choice:
    value: str  # written into the cell the importer reads
    label: str  # shown in the chooser


class Vocab:
    """The allowed values of one vocabulary field and how a typed value is read."""

    def __init__(self, name: str, choices: list[Choice], synonyms: dict[str, str]) -> None:
        self.name = name
        self.choices = choices
        self._exact = {c.value: c.value for c in choices}
        self._folded = {fold(c.value): c.value for c in choices}
        for c in choices:
            self._folded.setdefault(fold(c.label), c.value)
        self._synonyms = synonyms

    def propose(self, raw: str) -> tuple[str, str]:
        """(value, how): how is "exact", "folded" (without diacritics), "synonym" or "" (none)."""
        if raw in self._exact:
            return raw, "exact"
        folded = fold(raw)
        if folded in self._folded:
            return self._folded[folded], "folded"
        if folded in self._synonyms:
            return self._synonyms[folded], "synonym"
        return "", ""

    @property
    def allowed(self) -> str:
        return ", ".join(c.label for c in self.choices)


def vocab_for(kind: str, name: str, actor: Any) -> Vocab:
    """The vocabulary of a field (``VOCAB_FIELDS`` name), with the actor's orgs for ORG."""
    if name == ORG:
        return _org_vocab(kind, actor)
    if name == REASON:
        from chibo.activity.models import AbsenceReason

        reasons = list(AbsenceReason.objects.filter(active=True).order_by("position", "name"))
        names = {r.code: r.name for r in reasons}
        choices = [Choice(r.name, r.name) for r in reasons]
        synonyms = {k: names[v] for k, v in REASON_SYNONYMS.items() if v in names}
        synonyms.update({fold(r.code): r.name for r in reasons})
        return Vocab(name, choices, synonyms)
    labels = C.VOCABS[name]
    choices = [Choice(label, label) for label in labels]
    synonyms = {}
    for alias, label in C.ALIASES.get(name, {}).items():
        synonyms[alias] = label
    return Vocab(name, choices, synonyms)


def _org_vocab(kind: str, actor: Any) -> Vocab:
    from chibo.core.roles import Cap
    from chibo.core.scoping import scope_for
    from chibo.orgs.models import CELL_KINDS, Org

    orgs = Org.objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True)
    if actor is not None:
        orgs = orgs.filter(scope_for(actor, Cap.MEMBER_CHANGE).q())
    found = list(orgs.order_by("path").only("code", "name")[:5000])
    choices = [Choice(o.code, f"{o.code} — {o.name}") for o in found]
    synonyms: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for o in found:
        name = fold(o.name)
        short = re.sub(r"^(chi bo|dang bo|dang uy)\s+", "", name)
        for spelling in {name, short}:
            seen[spelling] += 1
            synonyms[spelling] = o.code
    # A name two cells share proposes nothing: the user chooses.
    return Vocab(ORG, choices, {k: v for k, v in synonyms.items() if seen[k] == 1})


# --- header detection ------------------------------------------------------------------------


@dataclass
class Layout:
    header_row: int  # spreadsheet row of the header (its first row when on two rows)
    header_rows: int  # 1 or 2
    headers: list[str]  # "parent – child" for two-row headers


def header_field(kind: str, header: str) -> tuple[str, str]:
    """(field, how) proposed by a header alone: how "exact", "synonym", "ignore" or ""."""
    key = _folded_header(header)
    if not key:
        return "", "ignore"
    if key in {col.name for col in C.COLUMNS[kind]}:
        return key, "exact"
    if key in _SYNONYM_KEYS[kind]:
        return _SYNONYM_KEYS[kind][key], "synonym"
    if key in _IGNORED:
        return "", "ignore"
    return "", ""


def _score(kind: str, cells: list[Any]) -> int:
    return sum(1 for c in cells if header_field(kind, C.text(c))[1] in ("exact", "synonym"))


def _is_text_label(cell: Any) -> bool:
    if not isinstance(cell, str):
        return cell in ("", None)
    value = cell.strip()
    if not value:
        return True
    try:
        return C.date(value) is None
    except C.BadValue:
        return not re.fullmatch(r"[\d\s.,+-]+", value)


def _two_row(parent: list[str], child: list[Any]) -> list[str] | None:
    """The "parent – child" headers if ``child`` is the second row of a merged header, else None."""
    if not child or not all(_is_text_label(c) for c in child):
        return None
    child_text = [C.text(c) for c in child] + [""] * max(0, len(parent) - len(child))
    names: list[str] = []
    current = ""
    spread = False
    for i in range(max(len(parent), len(child_text))):
        top = parent[i] if i < len(parent) else ""
        below = child_text[i]
        if top:
            current = top
        elif below and current:
            spread = True  # a merged parent cell spans this column
        if below and current:
            names.append(f"{current}{DASH}{below}")
        else:
            names.append(top or below)
    return names if spread else None


def detect(kind: str, rows: list[tuple[int, list[Any]]]) -> Layout:
    """The header among the first rows: most known names, first on ties; else row 1."""
    best: tuple[int, int] | None = None  # (score, index)
    for index, (_number, cells) in enumerate(rows[:SCAN_ROWS]):
        score = _score(kind, cells)
        if best is None or score > best[0]:
            best = (score, index)
    index = best[1] if best and best[0] >= 2 else 0
    number, cells = rows[index]
    headers = [C.text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if index + 1 < len(rows) and rows[index + 1][0] == number + 1:
        combined = _two_row(headers, rows[index + 1][1])
        if combined is not None and _score(kind, combined) >= _score(kind, headers):
            return Layout(number, 2, combined)
    return Layout(number, 1, headers)


def _layout_at(rows: list[tuple[int, list[Any]]], header_row: int, header_rows: int) -> Layout:
    for index, (number, cells) in enumerate(rows):
        if number == header_row:
            headers = [C.text(c) for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            if header_rows == 2 and index + 1 < len(rows):
                combined = _two_row(headers, rows[index + 1][1])
                if combined is not None:
                    return Layout(number, 2, combined)
                child = [C.text(c) for c in rows[index + 1][1]]
                return Layout(number, 2, _pair(headers, child))
            return Layout(number, 1, headers)
    raise MappingError(
        _("Row %(row)s of the file is empty or missing: it cannot be the header.")
        % {"row": header_row}
    )


def _pair(parent: list[str], child: list[str]) -> list[str]:
    names = []
    current = ""
    for i in range(max(len(parent), len(child))):
        top = parent[i] if i < len(parent) else ""
        below = child[i] if i < len(child) else ""
        current = top or current
        names.append(f"{current}{DASH}{below}" if below and current else (top or below))
    return names


# --- proposing fields from values ----------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")


def _digits(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    text = C.text(cell).replace(" ", "").replace(".", "")
    return text if _DIGITS.match(text) else ""


def _looks_citizen_id(cell: Any) -> bool:
    digits = _digits(cell)
    numeric = isinstance(cell, int | float) and not isinstance(cell, bool)
    return len(digits) == 12 or (numeric and 10 <= len(digits) <= 12)


def _looks_phone(cell: Any) -> bool:
    digits = _digits(cell)
    numeric = isinstance(cell, int | float) and not isinstance(cell, bool)
    return (len(digits) == 10 and digits.startswith("0")) or (numeric and len(digits) == 9)


def _share(samples: list[Any], test: Any) -> bool:
    return bool(samples) and sum(1 for s in samples if test(s)) >= 0.8 * len(samples)


def value_field(kind: str, samples: list[Any], taken: set[str], vocabs: dict[str, Vocab]) -> str:
    """A field proposed by a column's values ("" if none): 12-digit numbers are citizen IDs …"""
    fields = {col.name for col in C.COLUMNS[kind]} - taken
    if not samples:
        return ""
    texts = [C.text(s) for s in samples]
    tests: list[tuple[str, Any]] = [
        ("so_cccd", _looks_citizen_id),
        ("so_dien_thoai", _looks_phone),
    ]
    for name, test in tests:
        if name in fields and _share(samples, test):
            return name
    for name, vocab_name in VOCAB_FIELDS[kind].items():
        vocab = vocabs.get(vocab_name)
        if (
            name in fields
            and vocab is not None
            and _share(texts, lambda t, v=vocab: v.propose(t)[0])
        ):
            return name
    return ""


# --- the footer: totals, signatures and notes under the table ---------------------------------

# Words that open a footer line (folded): totals, who drew the list up and signs it,
# "(Ký, ghi rõ họ tên)", the place and date line, notes and recipients.
_FOOTER_WORDS = re.compile(
    r"^(tong cong|tong so|cong\s*:|nguoi lap|lap bieu|\(?ky[ ,.)]|\(?ky$|da ky|xac nhan"
    r"|(pho )?bi thu\b|t/m\b|tm\.|tm\s|thu truong|(pho )?hieu truong|noi nhan|ghi chu\s*:"
    r"|danh sach (nay|co|gom))"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)
FOOTER_TEXT = 120  # characters of a skipped row kept to say what it was


def _footer_like(cells: list[Any], width: int) -> tuple[bool, bool]:
    """(a row that may be under the table, a row that says so itself).

    A few cells only (at most a third of the header's columns, or 2), and either a
    footer's words or text without any digit (a signer's name). A data row has its
    code, dates or numbers.
    """
    most = max(2, width // 3)
    # A data row is settled by its first few filled cells, without reading the others
    # (per row of every import): a string cell is filled unless blank, anything else
    # as columns.text reads it.
    count = 0
    for cell in cells:
        if cell.__class__ is str:
            if not cell or cell.isspace():
                continue
        elif cell is None or not C.text(cell):
            continue
        count += 1
        if count > most:
            return False, False
    filled = [t for t in (C.text(c) for c in cells) if t]
    if any(_FOOTER_WORDS.search(fold(t)) for t in filled):
        return True, True
    return not any(ch.isdigit() for t in filled for ch in t), False


def without_footer(
    rows: Iterator[tuple[int, list[Any]]], layout: Layout, found: list[tuple[int, str]]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows, without the footer under the table's last data row (listed in ``found``).

    A footer starts at a row with a footer's words, or at a text-only row after a blank
    row; the rows after it that also look like a footer are held. A data row after them
    gives them back as rows (checked as before): only the end of the table is skipped.
    """
    width = sum(1 for h in layout.headers if h)
    held: list[tuple[int, list[Any]]] = []
    last = layout.header_row + layout.header_rows - 1
    for number, cells in rows:
        like, said = _footer_like(cells, width)
        if like and (held or said or number > last + 1):
            held.append((number, cells))
        else:
            if held:
                yield from held
                held = []
            yield number, cells
        last = number
    for number, cells in held:
        text = " · ".join(t for t in (C.text(c) for c in cells) if t)
        found.append((number, text[:FOOTER_TEXT]))


def footer_said(footer: list[tuple[int, str]]) -> str:
    """One line for the command, the preview and the check: which rows were skipped."""
    first, last = footer[0][0], footer[-1][0]
    rows = str(first) if first == last else f"{first}–{last}"
    values = {"n": len(footer), "rows": rows, "text": footer[0][1]}
    if len(footer) == 1:
        return _("Skipped 1 row under the table (row %(rows)s): «%(text)s».") % values
    return _("Skipped %(n)s rows under the table (rows %(rows)s): «%(text)s» …") % values


# --- applying a mapping ----------------------------------------------------------------------


@dataclass
class ColumnPlan:
    header: str
    field: str  # "" = ignored
    how: str  # exact, synonym, sample, mapped (by the user), ignore, "" (unknown)
    samples: list[str] = dataclasses.field(default_factory=list)


@dataclass
class Plan:
    """What the layer decided for a file: shown by the command and the mapping step."""

    layout: Layout
    columns: list[ColumnPlan]
    # field → {file value → chibo value} for values the mapping (not the proposal) gave
    explicit: dict[str, dict[str, str]]
    # (row, its text) of the rows under the table that were skipped (filled as rows are read)
    footer: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "header_row": self.layout.header_row,
            "header_rows": self.layout.header_rows,
            "footer": [[row, text] for row, text in self.footer],
            "footer_said": footer_said(self.footer) if self.footer else "",
            "columns": [
                {"header": c.header, "field": c.field, "how": c.how, "samples": c.samples}
                for c in self.columns
            ],
        }

    def mapping(self, kind: str, values: dict[str, dict[str, str]] | None = None) -> Mapping:
        return Mapping(
            kind=kind,
            columns={c.header: c.field for c in self.columns if c.header},
            values=values if values is not None else self.explicit,
            header_row=self.layout.header_row,
            header_rows=self.layout.header_rows,
        )


def _vocabs(kind: str, actor: Any) -> dict[str, Vocab]:
    return {name: vocab_for(kind, name, actor) for name in set(VOCAB_FIELDS[kind].values())}


def plan_columns(
    kind: str,
    layout: Layout,
    body: list[tuple[int, list[Any]]],
    mapping: Mapping | None,
    vocabs: dict[str, Vocab],
) -> list[ColumnPlan]:
    explicit = {_folded_header(h): f for h, f in (mapping.columns if mapping else {}).items()}
    plans: list[ColumnPlan] = []
    taken: set[str] = set()
    sample_rows = body[:SAMPLE_ROWS]
    for header in layout.headers:
        folded = _folded_header(header)
        if folded in explicit:
            chosen = explicit[folded]
            plans.append(ColumnPlan(header, chosen, "mapped" if chosen else "ignore"))
        else:
            name, how = header_field(kind, header)
            plans.append(ColumnPlan(header, name, how))
        if plans[-1].field:
            if plans[-1].field in taken and plans[-1].how != "mapped":
                plans[-1].field, plans[-1].how = "", ""
            taken.add(plans[-1].field)
    for pos, plan in enumerate(plans):
        values = [
            row[pos] for _n, row in sample_rows if pos < len(row) and row[pos] not in ("", None)
        ]
        plan.samples = [C.text(v)[:60] for v in values[:SAMPLES_SHOWN]]
        if plan.how == "":
            name = value_field(kind, values, taken - {""}, vocabs)
            if name:
                plan.field, plan.how = name, "sample"
                taken.add(name)
    return plans


def _locate(
    table: Table, kind: str, mapping: Mapping | None
) -> tuple[Layout, list[tuple[int, list[Any]]]]:
    """The header (the mapping's row, else detected) and the first rows under it."""
    head: list[tuple[int, list[Any]]] = [(table.header_row, list(table.headers))]
    head.extend(islice(table.rows, SCAN_ROWS + SAMPLE_ROWS))
    if mapping is not None and mapping.header_row is not None:
        layout = _layout_at(head, mapping.header_row, mapping.header_rows)
    else:
        layout = detect(kind, head[: SCAN_ROWS + 1])
    skip = layout.header_row + layout.header_rows - 1
    return layout, [(n, cells) for n, cells in head if n > skip]


def at_header(table: Table, kind: str, mapping: Mapping | None = None) -> tuple[Table, Plan]:
    """The file's own table from its header row: the header's names as the file writes them
    (two-row headers as "parent – child"), the rows under it with the file's row numbers,
    the footer left out (``Plan.footer`` lists it once the rows are read). No database
    reads: the job preview and the error report use it."""
    layout, body = _locate(table, kind, mapping)
    plan = Plan(layout, [ColumnPlan(h, "", "") for h in layout.headers], {})
    last = layout.header_row + layout.header_rows - 1
    at = Table(
        sheet=table.sheet,
        headers=list(layout.headers),
        keys=[_folded_header(h) for h in layout.headers],
        rows=without_footer(chain(body, table.rows), layout, plan.footer),
        total=max(table.total - (last - table.header_row), 0),
    )
    at.header_row = last
    return at, plan


def prepare(
    table: Table,
    kind: str,
    mapping: Mapping | None,
    actor: Any,
) -> tuple[Table, Plan]:
    """The table as the importers read it: header found, columns named by field, values mapped."""
    layout, body = _locate(table, kind, mapping)
    skip = layout.header_row + layout.header_rows - 1
    vocabs = _vocabs(kind, actor)
    plans = plan_columns(kind, layout, body, mapping, vocabs)
    explicit = {k: dict(v) for k, v in (mapping.values if mapping else {}).items()}
    plan = Plan(layout, plans, explicit)
    keys = [p.field or (_folded_header(p.header) if p.how == "" else "") for p in plans]
    translate = _translators(kind, plans, explicit, vocabs)
    rest = without_footer(chain(body, table.rows), layout, plan.footer)
    if translate:
        rest = _translated(rest, translate)
    prepared = Table(
        sheet=table.sheet,
        headers=[p.header for p in plans],
        keys=keys,
        rows=rest,
        total=max(table.total - (skip - table.header_row), 0),
    )
    prepared.header_row = layout.header_row + layout.header_rows - 1
    return prepared, plan


def _translators(
    kind: str,
    plans: list[ColumnPlan],
    explicit: dict[str, dict[str, str]],
    vocabs: dict[str, Vocab],
) -> dict[int, dict[Any, Any]]:
    """Per column position: a cache of cell → the value the importer reads.

    Only columns that need it: those with values the user mapped, org columns
    (names → codes) and absence reasons ("Ốm" → Ốm đau). Static vocabularies'
    synonyms are read by the importers themselves (``columns.ALIASES``).
    """
    out: dict[int, dict[Any, Any]] = {}
    for pos, plan in enumerate(plans):
        vocab_name = VOCAB_FIELDS[kind].get(plan.field)
        if vocab_name is None:
            continue
        given = explicit.get(plan.field, {})
        if given or vocab_name in (ORG, REASON):
            out[pos] = _Translator(vocabs[vocab_name], given)
    return out


class _Translator(dict):
    """cell → value, filled on first sight: the user's mapping, else the proposal, else the cell."""

    def __init__(self, vocab: Vocab, given: dict[str, str]) -> None:
        super().__init__()
        self.vocab = vocab
        self.given = {fold(k): v for k, v in given.items()}

    def __missing__(self, cell: Any) -> Any:
        raw = C.text(cell)
        out: Any = cell
        if raw:
            folded = fold(raw)
            if folded in self.given:
                out = self.given[folded] or ""
            else:
                value, _how = self.vocab.propose(raw)
                if value:
                    out = value
        with contextlib.suppress(TypeError):  # unhashable: not a cell value
            self[cell] = out
        return out


def _translated(
    rows: Iterator[tuple[int, list[Any]]], translate: dict[int, dict[Any, Any]]
) -> Iterator[tuple[int, list[Any]]]:
    items = list(translate.items())
    for number, cells in rows:
        cells = list(cells)
        size = len(cells)
        for pos, tr in items:
            if pos < size:
                cells[pos] = tr[cells[pos]]
        yield number, cells


# --- the mapping step: every distinct value, with counts and proposals ------------------------


@dataclass
class ValuePlan:
    raw: str
    count: int
    value: str
    how: str  # exact, folded, synonym, mapped, "" (nobody mapped it)


@dataclass
class Analysis:
    plan: Plan
    values: dict[str, list[ValuePlan]]  # field → distinct values (most frequent first)
    choices: dict[str, list[Choice]]  # field → allowed values
    truncated: dict[str, bool]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.plan.as_json(),
            "values": {
                name: [
                    {"raw": v.raw, "count": v.count, "value": v.value, "how": v.how} for v in vals
                ]
                for name, vals in self.values.items()
            },
            "choices": {
                name: [{"value": c.value, "label": c.label} for c in cs]
                for name, cs in self.choices.items()
            },
            "truncated": self.truncated,
        }


def analyse(table: Table, kind: str, mapping: Mapping | None, actor: Any) -> Analysis:
    """Header, columns and every distinct value of the vocabulary columns (reads the whole file)."""
    layout, body = _locate(table, kind, mapping)
    vocabs = _vocabs(kind, actor)
    plans = plan_columns(kind, layout, body, mapping, vocabs)
    explicit = {k: dict(v) for k, v in (mapping.values if mapping else {}).items()}
    positions = {pos: p.field for pos, p in enumerate(plans) if p.field in VOCAB_FIELDS[kind]}
    counts: dict[str, Counter[str]] = {name: Counter() for name in positions.values()}
    footer: list[tuple[int, str]] = []
    for _n, cells in without_footer(chain(body, table.rows), layout, footer):
        for pos, name in positions.items():
            if pos < len(cells):
                raw = C.text(cells[pos])
                if raw:
                    counts[name][raw] += 1
    values: dict[str, list[ValuePlan]] = {}
    truncated: dict[str, bool] = {}
    choices: dict[str, list[Choice]] = {}
    for name, counter in counts.items():
        vocab = vocabs[VOCAB_FIELDS[kind][name]]
        given = {fold(k): v for k, v in explicit.get(name, {}).items()}
        listed = []
        for raw, count in counter.most_common(MAX_DISTINCT):
            if fold(raw) in given:
                listed.append(ValuePlan(raw, count, given[fold(raw)], "mapped"))
            else:
                value, how = vocab.propose(raw)
                listed.append(ValuePlan(raw, count, value, how))
        values[name] = listed
        truncated[name] = len(counter) > MAX_DISTINCT
        choices[name] = vocab.choices
    return Analysis(Plan(layout, plans, explicit, footer), values, choices, truncated)


def describe(plan: Plan) -> list[str]:
    """Lines for the command's output: which row is the header, what each column became."""
    hows = {
        "exact": _("same name"),
        "synonym": _("synonym"),
        "sample": _("from its values"),
        "mapped": _("from the mapping"),
        "ignore": _("ignored"),
        "": _("not recognized: ignored"),
    }
    if plan.layout.header_rows == 2:
        first = _("Header: rows %(first)s–%(last)s of the file.") % {
            "first": plan.layout.header_row,
            "last": plan.layout.header_row + 1,
        }
    else:
        first = _("Header: row %(row)s of the file.") % {"row": plan.layout.header_row}
    lines = [first]
    if plan.footer:
        lines.append(footer_said(plan.footer))
    for col in plan.columns:
        if not col.header:
            continue
        target = C.header_of(col.field) if col.field else "—"
        lines.append(f"  «{col.header}» → {target} ({hows.get(col.how, col.how)})")
    return lines


def header_signature(headers: list[str]) -> str:
    """The folded header names, for offering a saved profile to a file with the same header."""
    return "|".join(h for h in (_folded_header(x) for x in headers) if h)


def detect_headers(path: Any, kind: str) -> list[str]:
    """The detected header's names (reads only the first rows); [] for a file that cannot be read."""
    from chibo.interchange.reader import FileRefused, open_table

    try:
        table = open_table(path, kind)
    except FileRefused:
        return []
    head: list[tuple[int, list[Any]]] = [(table.header_row, list(table.headers))]
    head.extend(islice(table.rows, SCAN_ROWS))
    return detect(kind, head).headers
