"""Importing history: meeting attendance and party dues, through the activity app's bulk services.

``activity.services.meetings_bulk_record`` and ``activity.dues.dues_bulk_record``
validate, skip what is already recorded (idempotence) and write in one
transaction; this module reads the sheet, reports bad cells row by row and maps
the services' ``{"row N": [...]}`` errors back to spreadsheet rows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core.datefields import no_such_date_message
from chibo.interchange import columns as C
from chibo.interchange.common import Columns, RowReader
from chibo.interchange.reader import Table
from chibo.interchange.report import ImportResult, Problem
from chibo.lib.text import fold


def _map_errors(
    exc: ValidationError, sheet: str, rows_of: list[list[int]], result: ImportResult
) -> None:
    if not hasattr(exc, "error_dict"):
        result.add(Problem(sheet, 0, "", "", "; ".join(exc.messages)))
        return
    for key, errors in exc.message_dict.items():
        try:
            index = int(str(key).split()[-1]) - 1
            numbers = rows_of[index]
        except (ValueError, IndexError):
            numbers = [0]
        for message in errors:
            result.add(Problem(sheet, numbers[0], "", "", message))


def import_attendance(
    actor: Any, table: Table, cols: Columns, result: ImportResult, dry_run: bool
) -> None:
    from chibo.activity.models import AbsenceReason
    from chibo.activity.services import AttendanceEntry, MeetingRecord, meetings_bulk_record

    reasons = {}
    names = []
    for reason in AbsenceReason.objects.filter(active=True).order_by("position", "name"):
        names.append(reason.name)
        reasons[fold(reason.name)] = reason.code
        reasons[fold(reason.code)] = reason.code
    meetings: dict[tuple[str, Any, str], MeetingRecord] = {}
    rows_of: dict[tuple[str, Any, str], list[int]] = {}
    seen: dict[tuple[str, Any, str, str], int] = {}
    for number, cells in table.rows:
        result.rows += 1
        rr = RowReader(result, table.sheet, number, cols.getter(cells))
        org = rr.text("ma_to_chuc", required=True, max_length=32)
        held_on = rr.date("ngay_hop", required=True)
        kind = rr.vocab("loai_hop", "loai_hop", required=True)
        code = rr.text("ma_dang_vien", required=True, max_length=32)
        status = rr.vocab("tinh_trang", "tinh_trang", required=True)
        why = rr.text("ly_do", max_length=255)
        if status == "excused" and why and fold(why) not in reasons:
            # Issue 23: say which reasons exist (a synonym such as "Ốm" was already mapped).
            rr.error(
                "ly_do",
                _("Unknown absence reason; choose one of: %(choices)s.")
                % {"choices": ", ".join(names)},
                why,
            )
        if rr.bad or held_on is None:
            continue
        key = (org, held_on, kind)
        if (*key, code) in seen:
            rr.error(
                "ma_dang_vien",
                _("This member already appears for this meeting in row %(row)s.")
                % {"row": seen[(*key, code)]},
                code,
            )
            continue
        seen[(*key, code)] = number
        record = meetings.setdefault(key, MeetingRecord(org_code=org, held_on=held_on, kind=kind))
        rows_of.setdefault(key, []).append(number)
        record.attendance.append(
            AttendanceEntry(
                member_code=code, status=status, reason_code=reasons.get(fold(why), ""), note=why
            )
        )
    if not result.ok:
        return
    keys = list(meetings)
    try:
        with transaction.atomic():
            counts = meetings_bulk_record(
                actor=actor, records=[meetings[k] for k in keys], dry_run=dry_run
            )
    except ValidationError as exc:
        _map_errors(exc, table.sheet, [rows_of[k] for k in keys], result)
        return
    result.created = counts.get("created", 0)
    result.unchanged = counts.get("skipped", 0)
    result.events = counts.get("attendance_rows", 0)
    _warn_unusual(counts.get("unusual", {}), table.sheet, [rows_of[k] for k in keys], result)
    result.written = not dry_run


def _warn_unusual(
    unusual: dict[str, list[str]], sheet: str, rows_of: list[list[int]], result: ImportResult
) -> None:
    """Values the services record but find unusual: warnings the check shows before the import."""
    for key, messages in unusual.items():
        try:
            number = rows_of[int(str(key).split()[-1]) - 1][0]
        except (ValueError, IndexError):
            number = 0
        for message in messages:
            result.add(Problem(sheet, number, "", "", message, fatal=False))


def import_dues(
    actor: Any, table: Table, cols: Columns, result: ImportResult, dry_run: bool
) -> None:
    from chibo.activity.dues import DuesRecord, dues_bulk_record

    records: list[DuesRecord] = []
    numbers: list[list[int]] = []
    for number, cells in table.rows:
        result.rows += 1
        rr = RowReader(result, table.sheet, number, cols.getter(cells))
        code = rr.text("ma_dang_vien", required=True, max_length=32)
        raw_month = rr.get("thang")
        try:
            period = C.month(raw_month)
        except C.NoSuchDay as exc:
            period = None
            rr.error("thang", no_such_date_message(exc.cause), raw_month)
        except C.BadValue:
            period = None
            rr.error("thang", _("Not a valid month: write it as mm/yyyy."), raw_month)
        if period is None and not rr.bad:
            rr.error("thang", _("This value is required."))
        raw_amount = rr.get("so_tien")
        try:
            amount = C.amount(raw_amount)
        except C.BadValue:
            amount = None
            rr.error("so_tien", _("Not a valid amount of money."), raw_amount)
        if amount is None and not rr.bad:
            rr.error("so_tien", _("This value is required."))
        paid_on = rr.date("ngay_nop", required=True)
        if rr.bad or period is None or amount is None or paid_on is None:
            continue
        records.append(
            DuesRecord(member_code=code, period=period, amount_vnd=int(amount), paid_on=paid_on)
        )
        numbers.append([number])
    if not result.ok:
        return
    try:
        with transaction.atomic():
            counts = dues_bulk_record(actor=actor, records=records, dry_run=dry_run)
    except ValidationError as exc:
        _map_errors(exc, table.sheet, numbers, result)
        return
    result.created = counts.get("created", 0)
    result.unchanged = counts.get("skipped", 0)
    _warn_unusual(counts.get("unusual", {}), table.sheet, numbers, result)
    result.written = not dry_run
