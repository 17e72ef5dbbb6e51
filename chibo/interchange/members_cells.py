"""``members_import.parse_row`` without per-cell work, for the rows that need none (issue 22).

A file repeats a few thousand values in most of its columns (dates, the gender, the
category, the cell's code). Each column keeps what ``RowReader`` read from each value
the first time it met it, alone, on a probe that records whether it said anything: a
value it read without a word is taken from that memory afterwards, a value it had
something to say about is marked, and a row holding one goes the whole way through
``parse_row``. The columns unique to a member (code, name, citizen ID, phone…) are read
as ``RowReader.text`` reads a text cell; the checks across columns (the org, the ages,
probation) are ``parse_row``'s, on their quiet path only.

So a row comes back from here only if ``parse_row`` would give the same ``MemberRow``
without a problem (error or warning); any other row gets ``None`` and is read by
``parse_row``, which says what is wrong. tests/interchange/test_members_cells.py holds the
two paths to that.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

from chibo.core.rules import RuleMissing
from chibo.interchange import columns as C
from chibo.interchange.common import Columns, RowReader
from chibo.interchange.members_import import (
    Context,
    MemberRow,
    admission_bounds,
    age_bounds,
    full_months,
)
from chibo.members.models import ON_ROLLS, Status
from chibo.orgs.models import CELL_KINDS

_BAD = object()  # RowReader had something to say about this value
_NO_RULE = object()  # no probation rule covers the admission day
_ACTIVE = Status.ACTIVE


class _Probe:
    """Stands in for the ImportResult of a cell read alone: notes whether anything was said."""

    __slots__ = ("said",)

    def __init__(self) -> None:
        self.said = False

    def add(self, problem: Any) -> None:
        self.said = True


class _Known(dict):
    """cell → what ``read`` (a RowReader method) gives for it, or _BAD; filled on first sight.

    Keyed by the cell itself when it is text, empty (None), or a date: no cell of another
    type equals one of those. Other cells (numbers) are read through ``others``, by (their
    type, them): True, 1 and 1.0 are equal keys but different cells.
    """

    LIMIT = 200_000  # values kept: bounded memory whatever the file

    def __init__(self, read: Callable[[RowReader], Any], today: Any) -> None:
        super().__init__()
        self.read = read
        self.today = today
        self.others: dict[tuple[type, Any], Any] = {}

    def __missing__(self, cell: Any) -> Any:
        if cell.__class__ not in _KEYED:
            key = (cell.__class__, cell)
            out = self.others.get(key, self)
            if out is self:
                out = self.others[key] = self._read(cell)
            return out
        out = self._read(cell)
        if len(self) >= self.LIMIT:
            self.clear()
        self[cell] = out
        return out

    def _read(self, cell: Any) -> Any:
        probe = _Probe()
        rr = RowReader(probe, "", 0, lambda _column: cell, self.today)  # type: ignore[arg-type]
        value = self.read(rr)
        return _BAD if probe.said or rr.bad else value


# The cells keyed by themselves in _Known (no cell of another type equals one of these).
_KEYED = frozenset({str, type(None), dt.date, dt.datetime})


def _probation_end(ctx: Context, admitted_on: Any) -> Any:
    try:
        return ctx.probation_end(admitted_on)
    except RuleMissing:
        return _NO_RULE


def row_parser(ctx: Context, cols: Columns) -> Callable[[int, list[Any]], MemberRow | None]:
    """``parse(number, cells)``: the row's MemberRow, or None for ``parse_row`` to read it."""
    quiet = row_values(ctx, cols)

    def parse(number: int, cells: list[Any]) -> MemberRow | None:
        values = quiet(number, cells)
        return None if values is None else MemberRow(*values)

    return parse


def row_values(ctx: Context, cols: Columns) -> Callable[[int, list[Any]], tuple | None]:
    """``parse(number, cells)``: the values of the row's MemberRow, in its fields' order
    (``MemberRow(*values)`` is the row), or None for ``parse_row`` to read it. A plain tuple,
    built without a call: the import keeps it as it is for a new member (members_write)."""
    today = ctx.today
    index = cols.index
    width = max(index.values(), default=-1) + 1
    # A column the file lacks reads the None put after the row's known cells (a row
    # shorter than the header is padded with None, as parse_row reads it).
    absent = width
    nones = [None] * (width + 1)

    def at(name: str) -> int:
        return index.get(name, absent)

    def known(read: Callable[[RowReader], Any]) -> _Known:
        return _Known(read, today)

    p_code, p_name, p_dob, p_gender = (
        at("ma_dang_vien"),
        at("ho_ten"),
        at("ngay_sinh"),
        at("gioi_tinh"),
    )
    p_eth, p_org, p_cat, p_adm_on = (
        at("dan_toc"),
        at("ma_to_chuc"),
        at("doi_tuong"),
        at("ngay_vao_dang"),
    )
    p_adm_org, p_cat_adm, p_rec = (
        at("ma_to_chuc_ket_nap"),
        at("doi_tuong_khi_ket_nap"),
        at("ngay_chinh_thuc"),
    )
    p_card, p_cid, p_phone, p_status = (
        at("so_the_dang"),
        at("so_cccd"),
        at("so_dien_thoai"),
        at("trang_thai"),
    )
    p_status_on, p_why, p_grad, p_decision = (
        at("ngay_thay_doi_trang_thai"),
        at("ly_do"),
        at("ngay_tot_nghiep_du_kien"),
        at("so_quyet_dinh"),
    )

    lacking = absent in (
        *(p_code, p_name, p_dob, p_gender, p_eth, p_org, p_cat, p_adm_on, p_adm_org, p_cat_adm),
        *(p_rec, p_card, p_cid, p_phone, p_status, p_status_on, p_why, p_grad, p_decision),
    )

    dob_k = known(lambda rr: rr.date("ngay_sinh", required=True))
    gender_k = known(lambda rr: rr.vocab("gioi_tinh", "gioi_tinh", required=True))
    eth_k = known(lambda rr: rr.text("dan_toc", max_length=40) or "Kinh")
    org_k = known(lambda rr: rr.text("ma_to_chuc", required=True, max_length=32))
    cat_k = known(lambda rr: rr.vocab("doi_tuong", "doi_tuong", required=True))
    adm_on_k = known(lambda rr: rr.date("ngay_vao_dang", required=True))
    adm_org_k = known(lambda rr: rr.text("ma_to_chuc_ket_nap", max_length=32))
    cat_adm_k = known(lambda rr: rr.vocab("doi_tuong_khi_ket_nap", "doi_tuong"))
    rec_k = known(lambda rr: rr.date("ngay_chinh_thuc"))
    status_k = known(lambda rr: rr.vocab("trang_thai", "trang_thai") or _ACTIVE)
    status_on_k = known(lambda rr: rr.date("ngay_thay_doi_trang_thai"))
    grad_k = known(lambda rr: rr.date("ngay_tot_nghiep_du_kien", past=False))

    # The member's own cells, read as RowReader.text reads a text cell (None: the file
    # has no such column). Anything else (a number in a spreadsheet cell): parse_row.
    text, nfc = C.text, unicodedata.normalize

    def own(cell: Any, max_length: int) -> Any:
        if cell.__class__ is str:
            out = text(cell) if cell else ""
        elif cell is None:
            return ""
        else:
            return _BAD
        return out if len(out) <= max_length else _BAD

    orgs = ctx.orgs
    placeable: dict[str, bool] = {}  # org code → members may be imported into it

    def may_place(code: str) -> bool:
        ok = placeable.get(code)
        if ok is None:
            info = orgs[code]
            ok = placeable[code] = info.kind in CELL_KINDS and ctx.may_change(info)
        return ok

    age_problem = ctx.age_problem
    # (category at admission, admission date) → what the checks of that pair need, read
    # once: the age bounds of the category on that day (None: no rule), the admission
    # rule's bounds in months (None: no rule covers the day: parse_row says so), the day
    # probation ends (_NO_RULE: no rule; a recognition date then goes to parse_row).
    admissions: dict[tuple[str, Any], tuple[Any, Any, Any]] = {}

    # What depends on the day alone, read once per day (a file has fewer days than pairs).
    days: dict[Any, tuple[Any, Any]] = {}

    def admission(category: str, admitted_on: Any) -> tuple[Any, Any, Any]:
        day = days.get(admitted_on)
        if day is None:
            day = days[admitted_on] = (
                admission_bounds(admitted_on),
                _probation_end(ctx, admitted_on),
            )
        found = admissions[(category, admitted_on)] = (age_bounds(category, admitted_on), *day)
        return found

    def parse(number: int, cells: list[Any]) -> tuple | None:
        if lacking or len(cells) < width:
            cells = list(cells[:width])
            cells += nones[len(cells) :]
        # Cells read from memory (the values RowReader read without a word).
        try:
            dob = dob_k[cells[p_dob]]
            gender = gender_k[cells[p_gender]]
            ethnicity = eth_k[cells[p_eth]]
            org_code = org_k[cells[p_org]]
            category = cat_k[cells[p_cat]]
            admitted_on = adm_on_k[cells[p_adm_on]]
            adm_code = adm_org_k[cells[p_adm_org]]
            cat_adm = cat_adm_k[cells[p_cat_adm]]
            recognized_on = rec_k[cells[p_rec]]
            status = status_k[cells[p_status]]
            status_on = status_on_k[cells[p_status_on]]
            graduation = grad_k[cells[p_grad]]
        except TypeError:  # an unhashable cell: not a value a reader gives
            return None
        if (
            dob is _BAD
            or gender is _BAD
            or ethnicity is _BAD
            or org_code is _BAD
            or category is _BAD
            or admitted_on is _BAD
            or adm_code is _BAD
            or cat_adm is _BAD
            or recognized_on is _BAD
            or status is _BAD
            or status_on is _BAD
            or graduation is _BAD
            or status != _ACTIVE  # a status event: its checks and texts in parse_row
        ):
            return None
        # The member's own cells.
        # The code, the name and the numbers as columns.text reads text: trimmed, NFC; a
        # cell starting with ' (export's formula guard) or a code not in ASCII: parse_row.
        v = cells[p_code]
        if v.__class__ is not str or not v.isascii():
            return None
        code = v.strip()
        if not code or len(code) > 32 or code[0] == "'":
            return None
        v = cells[p_name]
        if v.__class__ is not str:
            return None
        name = v.strip()
        if not name.isascii():
            name = nfc("NFC", name)
        if not name or len(name) > 120 or name[0] == "'":
            return None
        v = cells[p_cid]
        if v.__class__ is str and v.isascii():
            citizen_id = v.strip()
            if len(citizen_id) > 16 or citizen_id[:1] == "'":
                return None
        else:
            citizen_id = "" if v is None else own(v, 16)
        v = cells[p_phone]
        if v.__class__ is str and v.isascii():
            phone = v.strip()
            if len(phone) > 20 or phone[:1] == "'":
                return None
        else:
            phone = "" if v is None else own(v, 20)
        v = cells[p_card]
        card = "" if v == "" or v is None else own(v, 32)  # mostly empty: no call
        v = cells[p_why]
        why = "" if v == "" or v is None else own(v, 500)
        v = cells[p_decision]
        decision = "" if v == "" or v is None else own(v, 64)
        if card is _BAD or citizen_id is _BAD or phone is _BAD or why is _BAD or decision is _BAD:
            return None
        # parse_row's checks across cells, where they find nothing.
        org = orgs.get(org_code)
        adm_org = orgs.get(adm_code) if adm_code else org
        if org is None or adm_org is None or not may_place(org_code):
            return None
        if not org.is_open and status in ON_ROLLS:
            return None
        if dob >= admitted_on:
            return None
        at_admission = cat_adm or category
        # Context.age_problem and Context.admission_age_problem, on their quiet path: the
        # age in whole months once, compared with the bounds of the pair.
        found = admissions.get((at_admission, admitted_on)) or admission(at_admission, admitted_on)
        ages, admitting, ends = found
        months = full_months(dob, admitted_on)
        if ages is not None and not ages[0] <= months // 12 <= ages[1]:
            return None
        if admitting is None or months < admitting[0]:
            return None
        if admitting[1] is not None and months > admitting[1]:
            return None
        if recognized_on and (ends is _NO_RULE or recognized_on < ends):
            return None
        if category != at_admission and age_problem(dob, category, today) is not None:
            return None
        return (
            number,
            code,
            " ".join(name.split()),
            dob,
            gender,
            ethnicity,
            org,
            category,
            admitted_on,
            adm_org,
            bool(adm_code),
            at_admission,
            bool(cat_adm),
            recognized_on,
            card,
            citizen_id,
            phone,
            status,
            None,  # status_on: only a status event has one (parse_row)
            "",  # reason
            why,  # note
            graduation,
            decision,
        )

    return parse
