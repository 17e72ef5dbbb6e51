"""Export orgs and members of a subtree in the import format (XLSX or CSV).

Export → import is a round trip that changes nothing. The files are written
by ``core.spreadsheet`` (text that a spreadsheet would run as a formula gets
a leading ``'``; the importer removes it again). Card number, citizen ID
and phone follow the screen's masking: only for members the actor may see
unmasked, and no such columns at all for a role that sees everyone masked.
The export of personal records is audited (the unmasked values separately).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.core.spreadsheet import Book, CsvWriter
from chibo.interchange import columns as C
from chibo.lib.dates import dmy
from chibo.members.models import EventKind, MemberEvent, RemovalReason, Status
from chibo.members.selectors import members_for
from chibo.orgs.models import Org
from chibo.orgs.selectors import orgs_for

STATUS_KINDS = {
    EventKind.EXEMPTED,
    EventKind.TEMP_OUT,
    EventKind.TRANSFER_OUT,
    EventKind.REMOVED,
    EventKind.EXPELLED,
    EventKind.DECEASED,
}


def _fmt(day: dt.date | None, as_text: bool) -> Any:
    if day is None:
        return ""
    return dmy(day) if as_text else day


def org_rows(actor: Any, root: Org | None, *, as_text: bool) -> Iterator[list[Any]]:
    qs = orgs_for(actor, Cap.ORG_VIEW) if actor is not None else Org.objects.all()
    if root is not None:
        qs = qs.filter(root.subtree_filter())
    parents = dict(Org.objects.values_list("id", "code"))
    for org in qs.order_by("path"):
        yield [
            org.code,
            org.name,
            parents.get(org.parent_id, "") if org.parent_id else "",
            C.vocab_label("loai_to_chuc", org.kind),
            C.vocab_label("cap_hoc", org.school_level),
            C.vocab_label("loai_hinh", org.ownership),
            _fmt(org.opened_on, as_text),
        ]


def _status_details(member_ids_qs: Any) -> dict[int, MemberEvent]:
    latest: dict[int, MemberEvent] = {}
    events = (
        MemberEvent.objects.filter(member__in=member_ids_qs, kind__in=STATUS_KINDS)
        .only("member_id", "kind", "note", "reason", "data", "decision_number")
        .order_by("effective_date", "id")
    )
    for event in events.iterator(chunk_size=5000):
        latest[event.member_id] = event
    return latest


def _why(status: str, event: MemberEvent | None) -> str:
    if event is None or status == Status.ACTIVE:
        return ""
    if status == Status.REMOVED and event.reason and event.reason != RemovalReason.OTHER:
        return C.vocab_label("ly_do", event.reason)
    if status == Status.TRANSFERRED_OUT:
        return event.data.get("destination", "") or ""
    if status == Status.TEMP_AWAY:
        return event.data.get("host", "") or ""
    return event.note


# Shown on screen only to roles with member.view_sensitive (masked for the others).
SENSITIVE_COLUMNS = ("so_the_dang", "so_cccd", "so_dien_thoai")


def sensitive_columns_shown(actor: Any) -> bool:
    """Whether a members export carries the sensitive columns at all (None: the system)."""
    return actor is None or not scope_for(actor, Cap.MEMBER_VIEW_SENSITIVE).is_empty


def member_rows(
    actor: Any,
    root: Org | None,
    *,
    as_text: bool,
    codes: list[str],
    sensitive_codes: list[str] | None = None,
) -> Iterator[list[Any]]:
    """Rows in the members template's column order.

    The card number, citizen ID and phone are filled only where the actor may
    see them unmasked (``member.view_sensitive`` over the member's org), as on
    the member's page; the codes of those rows go to ``sensitive_codes``.
    """
    from chibo.members.models import Member

    qs = members_for(actor) if actor is not None else Member.objects.all()
    if root is not None:
        qs = qs.filter(root.subtree_filter("org__"))
    sensitive = scope_for(actor, Cap.MEMBER_VIEW_SENSITIVE) if actor is not None else None
    org_codes = dict(Org.objects.values_list("id", "code"))
    org_paths = dict(Org.objects.values_list("id", "path"))
    details = _status_details(qs.values("id"))
    shown = sensitive_codes if sensitive_codes is not None else []
    from chibo.members.seniority import seniority_from, shifted_admissions

    shifted = shifted_admissions()
    today = timezone.localdate()
    for m in qs.order_by("member_code").iterator(chunk_size=5000):
        codes.append(m.member_code)
        show = sensitive is None or sensitive.covers_path(org_paths.get(m.org_id, ""))
        if show and (m.party_card_number or m.citizen_id or m.phone):
            shown.append(m.member_code)
        event = details.get(m.id)
        status_on = m.status_changed_on if m.status != Status.ACTIVE else None
        yield [
            m.member_code,
            m.full_name,
            _fmt(m.date_of_birth, as_text),
            C.vocab_label("gioi_tinh", m.gender),
            m.ethnicity,
            org_codes.get(m.org_id, ""),
            C.vocab_label("doi_tuong", m.category),
            _fmt(m.admitted_on, as_text),
            org_codes.get(m.admitting_org_id, "") if m.admitting_org_id else "",
            C.vocab_label("doi_tuong", m.category_at_admission) if m.category_at_admission else "",
            _fmt(m.recognized_on, as_text),
            m.party_card_number if show else "",
            m.citizen_id if show else "",
            m.phone if show else "",
            C.vocab_label("trang_thai", m.status),
            _fmt(status_on, as_text),
            _why(m.status, event),
            _fmt(m.expected_graduation, as_text),
            event.decision_number if event is not None and m.status != Status.ACTIVE else "",
            seniority_from(m, shifted.get(m.id)).years_on(today) if m.recognized_on else "",
        ]


def stamp_xlsx(wb: Any, ws: Any, *, exported_by: str, exported_at: dt.datetime) -> None:
    """Mark a workbook of personal data with who exported it and when (properties + page footer).

    The footer is the printed page footer, not a row, so the file still imports back.
    """
    from openpyxl.packaging.custom import StringProperty

    when = timezone.localtime(exported_at)
    wb.properties.creator = exported_by
    wb.properties.lastModifiedBy = exported_by
    wb.properties.created = when.replace(tzinfo=None)
    wb.custom_doc_props.append(StringProperty(name="chibo_exported_by", value=exported_by))
    wb.custom_doc_props.append(StringProperty(name="chibo_exported_at", value=when.isoformat()))
    ws.oddFooter.left.text = f"chibo — {exported_by} — {when:%d/%m/%Y %H:%M}"
    ws.oddFooter.right.text = "&P/&N"


def write_xlsx(
    out: IO[bytes] | str | Path,
    sheet: str,
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    stamp: tuple[str, dt.datetime] | None = None,
) -> int:
    book = Book(write_only=True)
    ws = book.sheet(sheet)
    if stamp is not None:
        stamp_xlsx(book.wb, ws.ws, exported_by=stamp[0], exported_at=stamp[1])
    ws.append(header)
    count = 0
    for row in rows:
        ws.append(
            [
                ws.styled(value, number_format="DD/MM/YYYY")
                if isinstance(value, dt.date)
                else value
                for value in row
            ]
        )
        count += 1
    book.save(out)
    return count


def write_csv(out: IO[str], header: list[str], rows: Iterable[list[Any]]) -> int:
    writer = CsvWriter(out)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _without(rows: Iterable[list[Any]], dropped: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        yield [value for index, value in enumerate(row) if index not in dropped]


def export(*, actor: Any, kind: str, root: Org | None, fmt: str, out: Any) -> int:
    """Write ``kind`` (orgs | members) under ``root`` (None: all the actor sees) to ``out``; audited.

    A role that sees members masked (viewer, city office) gets no sensitive
    columns at all; an export that carries any unmasked value is also
    recorded as ``interchange.export_sensitive`` with those members' codes.
    """
    as_text = fmt == "csv"
    header = [col.header for col in C.COLUMNS[kind]]
    codes: list[str] = []
    sensitive_codes: list[str] = []
    if kind == C.ORGS:
        rows: Iterable[list[Any]] = org_rows(actor, root, as_text=as_text)
    elif kind == C.MEMBERS:
        rows = member_rows(
            actor, root, as_text=as_text, codes=codes, sensitive_codes=sensitive_codes
        )
        if not sensitive_columns_shown(actor):
            names = [col.name for col in C.COLUMNS[kind]]
            dropped = [names.index(name) for name in SENSITIVE_COLUMNS]
            header = [h for i, h in enumerate(header) if i not in dropped]
            rows = _without(rows, dropped)
    else:
        raise ValueError(kind)
    if fmt == "csv":
        count = write_csv(out, header, rows)
    elif fmt == "xlsx":
        who = getattr(actor, "username", "") or "system"
        full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
        by = f"{full} ({who})" if full else who
        count = write_xlsx(out, C.SHEET_TITLES[kind], header, rows, stamp=(by, timezone.now()))
    else:
        raise ValueError(fmt)
    entries: list[tuple[str, str, Any, dict[str, Any]]] = [
        (
            "interchange.export",
            kind,
            root.code if root else "",
            {"format": fmt, "count": count, "members": codes},
        )
    ]
    if sensitive_codes:
        # Unmasked card numbers, citizen IDs and phones left the system (Decree 13/2023).
        entries.append(
            (
                "interchange.export_sensitive",
                kind,
                root.code if root else "",
                {"format": fmt, "fields": list(SENSITIVE_COLUMNS), "members": sensitive_codes},
            )
        )
    audit.record_many(actor=actor, entries=entries)
    return count
