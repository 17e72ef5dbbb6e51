"""What makes `chibo import members` fast at scale changes nothing it writes (issue 22).

- the data commands start without the API's app: a CSV import loads neither django-ninja /
  pydantic nor an XLSX library (a real `chibo import` process, its ``sys.modules`` read);
- the admission age rules are read once per date, the refusals are the service's;
- an event's data is built once per shape and date, the same JSON as built directly;
- CSV lines go to the csv module as the file gives them unless one is long enough for the
  line check: the same rows either way;
- the first import (indexes dropped and rebuilt) writes what an import into a table that
  keeps its indexes writes.
"""

# Our own interpreter and script, fixed arguments.
# ruff: noqa: S603
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chibo.core import bulk
from chibo.core.rules import RuleMissing
from chibo.interchange import members_write as mw
from chibo.interchange import reader
from chibo.interchange.members_import import Context, full_months
from chibo.interchange.services import import_file
from chibo.lib.dates import full_months_between
from chibo.members.lifecycle import EventKind
from chibo.members.models import Member, MemberEvent
from chibo.members.services.past import admission_age_problem
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from chibo.cli import main
main(["chibo", "import", "members", sys.argv[1]])
print("LOADED", sorted(m for m in sys.argv[2].split(",") if m in sys.modules))
"""
HEAVY = "ninja,pydantic,openpyxl,python_calamine"


def _database_url(tmp_path: Path) -> str:
    """The test database as another process reaches it (SQLite: a copy in a file)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:{s['PORT']}/{s['NAME']}"
    )


def _import_process(tmp_path: Path, file: Path) -> str:
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(file), HEAVY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# The other process must see the org tree: committed, no test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_csv_import_process_loads_no_api_and_no_xlsx_library(tree, tmp_path) -> None:
    rows = [member_row("DV1"), member_row("DV2", ho_ten="Lê Văn Đức")]
    csv_out = _import_process(tmp_path, write_csv(tmp_path / "m.csv", MEMBER_HEADER, rows))
    assert "Đã nhập: 2 dòng: 2 mới" in csv_out
    assert "LOADED []" in csv_out
    # An XLSX is read by calamine; still no API and no openpyxl (that one writes files).
    xlsx = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADER, [member_row("DV3")])
    xlsx_out = _import_process(tmp_path, xlsx)
    assert "Đã nhập: 1 dòng: 1 mới" in xlsx_out
    assert "LOADED ['python_calamine']" in xlsx_out


def test_the_web_process_keeps_the_api_app(settings) -> None:
    # Only a process started by `chibo <data command>` leaves it out (chibo.cli.main).
    assert "ninja" in settings.INSTALLED_APPS


def test_admission_ages_are_refused_as_the_service_refuses_them(tree) -> None:
    ctx = Context(None)
    days = [dt.date(y, m, 15) for y in (1931, 1960, 1999, 2015, 2016, 2017, 2024) for m in (3, 9)]
    days.append(dt.date(1800, 1, 1))  # no rule covers it
    for admitted in days:
        for age_months in (0, 200, 215, 216, 217, 500, 719, 720, 721, 900):
            dob = admitted - dt.timedelta(days=round(age_months * 30.44))
            try:
                expected: ValidationError | None = admission_age_problem(dob, admitted)
            except RuleMissing as exc:
                with pytest.raises(RuleMissing) as raised:
                    ctx.admission_age_problem(dob, admitted)
                assert raised.value.messages == exc.messages
                continue
            found = ctx.admission_age_problem(dob, admitted)
            assert (found is None) == (expected is None), (dob, admitted)
            if expected is not None:
                assert found.message_dict == expected.message_dict


def test_the_import_counts_months_as_the_library_does() -> None:
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(0, 800, 3)]
    days += [dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2024, 1, 31), dt.date(2024, 4, 30)]
    for start in days:
        for end in days:
            assert full_months(start, end) == full_months_between(start, end), (start, end)


def test_event_data_from_the_template_is_the_direct_build() -> None:
    dated = mw._DatedJson()
    days = [dt.date(1975, 4, 30), dt.date(2001, 1, 1), dt.date(2024, 2, 29), dt.date(2001, 1, 1)]
    for category in ("student", "teacher"):

        def admitted(on: dt.date, category: str = category) -> dict:
            return mw._data(
                EventKind.ADMITTED, mw.Before(category=category), ceremony_on=on, historical=True
            )

        for day in days:
            got = dated(("admitted", category), day, admitted)
            assert got == mw._json(admitted(day))
            assert json.loads(got)["ceremony_on"] == day.isoformat()
    # A shape whose data does not carry the date as written: built directly every time.
    for day in days:
        assert dated("odd", day, lambda on: {"year": on.year}) == json.dumps(
            {"year": day.year, "import": True}
        )
    assert dated.templates["odd"] is None


def test_csv_rows_are_the_same_with_and_without_the_line_check(tmp_path, monkeypatch) -> None:
    rows = [member_row(f"DV{i}", ho_ten=f"Nguyễn Văn {i}") for i in range(30)]
    measure = reader._csv_encoding
    for ending in ("\n", "\r\n", "\r"):
        path = tmp_path / f"m{len(ending)}{ending == chr(13)}.csv"
        text = path.with_suffix(".tmp")
        write_csv(text, MEMBER_HEADER, rows)
        lines = text.read_text(encoding="utf-8-sig").splitlines()
        path.write_text(ending.join(lines) + ending, encoding="utf-8-sig", newline="")
        fast = list(reader.open_table(path, "members").rows)
        # As if a line were long: every line goes through the check.
        monkeypatch.setattr(reader, "_csv_encoding", lambda p, m=measure: (*m(p)[:2], 10**9))
        checked = list(reader.open_table(path, "members").rows)
        monkeypatch.undo()
        assert fast == checked and len(fast) == 30, ending
    # A line over the limit is still refused, on the checked path.
    long = tmp_path / "long.csv"
    long.write_bytes(b"ma_dang_vien,ho_ten\n" + b"A" * (reader.CSV_LINE_MAX + 10) + b"\n")
    with pytest.raises(reader.FileRefused):
        list(reader.open_table(long, "members").rows)


def _written() -> tuple[list[tuple], list[tuple]]:
    members = list(
        Member.objects.order_by("member_code").values_list(
            "member_code",
            "full_name",
            "name_folded",
            "given_folded",
            "date_of_birth",
            "gender",
            "category",
            "org__code",
            "status",
            "is_full",
            "admitted_on",
            "admitting_org__code",
            "probation_ends_on",
            "recognized_on",
            "last_event_on",
        )
    )
    events = list(
        MemberEvent.objects.order_by("member__member_code", "kind", "effective_date").values_list(
            "member__member_code", "kind", "effective_date", "org__code", "status_after", "data"
        )
    )
    return members, events


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's first-import path")
def test_a_first_import_writes_what_an_import_keeping_the_indexes_writes(
    tree, tmp_path, monkeypatch
) -> None:
    rows = [
        member_row(
            f"DV{i}",
            ho_ten=f"Phạm Thị Đào {i}",
            ngay_chinh_thuc="01/03/2023" if i % 2 else "",
            ma_to_chuc="BK-GV1" if i % 3 == 0 else "BK-SV1",
            doi_tuong="Giảng viên" if i % 3 == 0 else "Sinh viên",
            ma_to_chuc_ket_nap="BK-SV1" if i % 3 == 0 else "",
            doi_tuong_khi_ket_nap="Sinh viên" if i % 3 == 0 else "",
            ngay_sinh="17/05/1990" if i % 3 == 0 else "17/05/2001",
        )
        for i in range(12)
    ]
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, rows)
    dropped: list[int] = []
    real = bulk.indexes_deferred

    def watching(batches, minimum=None):
        dropped.append(minimum if minimum is not None else bulk.DEFER_INDEXES_FROM)
        return real(batches, minimum)

    monkeypatch.setattr(bulk, "indexes_deferred", watching)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)  # a first import: indexes dropped
    assert import_file(actor=None, kind="members", path=path).ok
    first = _written()
    MemberEvent.objects.all().delete()
    Member.objects.all().delete()
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10**9)  # indexes kept
    assert import_file(actor=None, kind="members", path=path).ok
    assert _written() == first
    assert dropped == [2, 10**9]
    assert len(first[0]) == 12 and len(first[1]) == 12 + 4 + 4 + 6
