"""Property-based fuzzing of the parsers and the import (hypothesis), with a fixed budget.

``CHIBO_FUZZ_EXAMPLES`` sets the examples per property: small in ``make test``
(default 200), larger in ``make bench`` (the bench-marked copy runs 20×).
Properties: no parser raises anything but its own documented error; text
folding is idempotent and ASCII-only; an import of arbitrary rows either
writes everything or nothing and never raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import string
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo.directives.symbols import SymbolError, find_symbols, parse_symbol
from chibo.interchange import columns as C
from chibo.lib.text import fold, prefix_upper_bound

EXAMPLES = int(os.environ.get("CHIBO_FUZZ_EXAMPLES", "200"))
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: CI stays reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ"
vi_text = st.text(alphabet=st.sampled_from(VI + VI.upper() + " -/.0123456789"), max_size=40)
any_text = st.text(max_size=60)
cell = st.one_of(
    st.none(),
    any_text,
    vi_text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@pytest.mark.database_free
@BUDGET
@given(st.one_of(any_text, vi_text))
def test_fold_is_idempotent_lowercase_and_free_of_marks(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert "đ" not in folded and "Đ" not in folded
    assert all(not ("\u0300" <= ch <= "\u036f") for ch in folded)
    if folded:  # an empty prefix is refused by design
        assert folded < prefix_upper_bound(folded)


@pytest.mark.database_free
@BUDGET
@given(any_text)
def test_symbol_parser_only_raises_its_own_error(text: str) -> None:
    try:
        symbol = parse_symbol(text)
    except SymbolError:
        return
    assert symbol.number >= 0 and symbol.doc_type and symbol.issuer
    assert find_symbols(text) is not None


@pytest.mark.database_free
@BUDGET
@given(
    st.integers(min_value=0, max_value=999999),
    st.sampled_from(["CV", "NQ", "QĐ", "HD", "KH", "BC"]),
    st.sampled_from(["TU", "BTCTW", "ĐU", "TW", "BCSĐ"]),
    st.sampled_from(["-", " -", "- ", " - "]),
)
def test_well_formed_symbols_round_trip(number: int, doc_type: str, issuer: str, dash: str) -> None:
    symbol = parse_symbol(f"{number}{dash}{doc_type}/{issuer}")
    assert symbol.number == number
    assert [
        s.number for s in find_symbols(f"theo văn bản số {number}-{doc_type}/{issuer} ngày")
    ] == [number]


@pytest.mark.database_free
@BUDGET
@given(cell)
def test_cell_value_parsers_raise_only_bad_value(value: object) -> None:
    for parse in (C.date, C.month, C.amount):
        try:
            out = parse(value)
        except C.BadValue:
            continue
        assert out is None or isinstance(out, dt.date | Decimal)
        if isinstance(out, Decimal):
            assert out.is_finite() and out >= 0
    assert isinstance(C.text(value), str)
    assert isinstance(C.header_key(value), str)
    for vocab in C.LABELS:
        C.vocab_value(vocab, C.text(value))


@pytest.mark.database_free
@BUDGET
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dates_written_any_usual_way_read_back(day: dt.date) -> None:
    assert C.date(day.strftime("%d/%m/%Y")) == day
    assert C.date(f"{day.day}/{day.month}/{day.year:04d}") == day
    assert C.date(day.isoformat()) == day
    assert C.month(day.strftime("%m/%Y")) == day.replace(day=1)


MEMBER_COLUMNS = [
    "ma_dang_vien",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "ma_to_chuc",
    "doi_tuong",
    "ngay_vao_dang",
    "so_cccd",
    "so_dien_thoai",
    "trang_thai",
]
row_strategy = st.fixed_dictionaries(
    {
        "ma_dang_vien": st.one_of(
            st.just("DV-FZ1"),
            st.text(alphabet=string.ascii_uppercase + string.digits + "-", max_size=12),
        ),
        "ho_ten": st.one_of(vi_text, any_text),
        "ngay_sinh": st.one_of(
            st.just("17/05/2001"), any_text, st.dates().map(lambda d: d.strftime("%d/%m/%Y"))
        ),
        "gioi_tinh": st.sampled_from(["Nam", "Nữ", "nu", "", "x"]),
        "ma_to_chuc": st.sampled_from(["BK-SV1", "BK-GV1", "NOPE", "", "Q1-THPT"]),
        "doi_tuong": st.sampled_from(["Sinh viên", "giang vien", "?", ""]),
        "ngay_vao_dang": st.one_of(st.just("01/03/2022"), any_text),
        "so_cccd": st.one_of(st.just("079201001234"), any_text),
        "so_dien_thoai": st.one_of(st.just("0912345678"), any_text),
        "trang_thai": st.sampled_from(["Đang sinh hoạt", "da xoa ten", "", "???"]),
    }
)


def _csv(rows: list[dict[str, str]]) -> Path:
    fd, name = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(MEMBER_COLUMNS)
        for row in rows:
            writer.writerow([row[c] for c in MEMBER_COLUMNS])
    return Path(name)


@pytest.mark.django_db
def test_import_of_arbitrary_rows_is_all_or_nothing_and_never_crashes(tree: dict) -> None:
    from chibo.core.models import AuditEntry
    from chibo.interchange.services import import_file
    from chibo.members.models import Member, MemberEvent

    @settings(
        max_examples=max(10, EXAMPLES // 10),
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(row_strategy, min_size=1, max_size=4))
    def run(rows: list[dict[str, str]]) -> None:
        before = (Member.objects.count(), MemberEvent.objects.count())
        path = _csv(rows)
        try:
            result = import_file(actor=None, kind="members", path=path)
        finally:
            path.unlink()
        after = (Member.objects.count(), MemberEvent.objects.count())
        if not result.ok:
            assert after == before, "a refused import wrote rows"
        # Tidy up so each example starts from the same state.
        for m in Member.objects.all():
            m.events.all()._raw_delete(m.events.db)
        Member.objects.all()._raw_delete(Member.objects.db)
        AuditEntry.objects.count()

    run()


@pytest.mark.bench
def test_bench_fuzz_budget_note() -> None:
    """`make bench` runs this file with CHIBO_FUZZ_EXAMPLES=5000 (see Makefile); print the budget."""
    print(
        f"fuzz budget: {EXAMPLES} examples per property, {max(10, EXAMPLES // 10)} import examples"
    )
