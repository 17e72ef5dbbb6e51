"""The member import's floor, written without chibo: the same rows into the same schema.

    python bench/import_floor.py sqlite PATH FILE        (a migrated database with the org tree)
    python bench/import_floor.py postgresql CONNINFO FILE

Plain ``csv`` (or ``python_calamine`` for .xlsx), ``sqlite3`` or ``psycopg`` and
``cryptography``'s AES-GCM; no Django, no chibo module; Python's cycle collector paused. It reads the file that
bench/import_data.py writes (its vocabulary only: a floor, not an importer), folds the names,
encrypts the citizen ID and phone (a random 96-bit nonce each, as chibo stores them), and
writes each member with the events the row implies (admitted; reassigned and category
changed when the row says so; recognized), by the best plan we know for a first import:

- SQLite: one transaction, the tables' non-unique indexes dropped, ``executemany``, the
  indexes rebuilt and the tables ANALYZEd;
- PostgreSQL: one transaction, the tables' indexes (those that are not constraints) and
  their own foreign keys dropped, the members' ids taken in one block (``ALTER SEQUENCE``),
  binary ``COPY`` of both tables by a worker thread, a chunk of 5,000 members at a time, while
  the next chunk is built, the indexes rebuilt, the foreign keys added back and
  validated in one pass each, the tables ANALYZEd.

The tables' triggers (issue 24's tallies of the dashboard, kept from the events) are dropped
for the load and created again before commit; the floor does their work itself, as chibo's
import must: its admissions (removals, expulsions) counted in Python per ancestor org, month,
unit, school level and category from the events it built and the org paths, and the few
thousand tally rows written in one ``executemany`` (``tallies``). bench/import_bench.py
compares the tallies too.

Prints one JSON line: seconds (the whole process, from start to commit), rows, events (and on
PostgreSQL the seconds of each step).
bench/import_compare.py checks that chibo's import of the same file wrote the same rows.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gc
import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

STARTED = time.perf_counter()
# The cycle collector paused, as chibo's import pauses it (no row forms a cycle): the best
# plan for building a few hundred thousand tuples.
gc.disable()

GENDERS = {"Nam": "male", "Nữ": "female"}
CATEGORIES = {"Sinh viên": "student", "Giảng viên": "lecturer", "Giáo viên": "teacher"}
PROBATION_MONTHS = 12
MEMBER_COLUMNS = (
    "id, member_code, full_name, name_folded, given_folded, date_of_birth, gender, ethnicity, "
    "category, expected_graduation, party_card_number, citizen_id, phone, org_id, status, "
    "is_full, admitted_on, admitting_org_id, category_at_admission, ceremony_on, "
    "probation_ends_on, recognized_on, temp_host_org_id, pending_org_id, status_changed_on, "
    "last_event_on, version, created_at, updated_at"
)
EVENT_COLUMNS = (
    "member_id, kind, effective_date, recorded_at, decision_number, issuing_org_id, "
    "issuing_body, actor_id, note, reason, data, org_id, status_after, category_after"
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return _SPACES.sub(" ", "".join(c for c in plain if not unicodedata.combining(c))).strip()


def day(text: str) -> dt.date | None:
    if not text:
        return None
    d, m, y = text.split("/")
    return dt.date(int(y), int(m), int(d))


def add_months(start: dt.date, months: int) -> dt.date:
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    for d in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(start)


def read(path: str) -> list[list[str]]:
    if path.endswith(".xlsx"):
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        return [["" if v is None else str(v) for v in r] for r in rows]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


class Sealer:
    """AES-GCM under a random key of the floor's own (the cost, not chibo's key)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.header = b"c2:floor:"

    def many(self, values: list[str]) -> list[str]:
        pool = os.urandom(12 * len(values))
        out = []
        for n, value in enumerate(values):
            nonce = pool[12 * n : 12 * n + 12]
            sealed = self.aead.encrypt(nonce, value.encode(), self.header)
            out.append("c2:floor:" + base64.urlsafe_b64encode(nonce + sealed).decode())
        return out


def build(rows: list[list[str]], orgs: dict[str, int], first_id: int, iso: bool, sealer=None):
    header, body = rows[0], rows[1:]
    ix = {h: i for i, h in enumerate(header)}
    sealer = sealer or Sealer()
    ids = sealer.many([r[ix["so_cccd"]] for r in body])
    phones = sealer.many([r[ix["so_dien_thoai"]] for r in body])
    now = dt.datetime.now(dt.UTC)
    stamp = now.isoformat(sep=" ") if iso else now

    def out(d: dt.date | None):
        return None if d is None else (d.isoformat() if iso else d)

    members, events = [], []
    data = json.dumps({"import": True})
    for n, r in enumerate(body):
        pk = first_id + n
        name = r[ix["ho_ten"]]
        folded = fold(name)
        org = orgs[r[ix["ma_to_chuc"]]]
        adm_org = orgs[r[ix["ma_to_chuc_ket_nap"]]] if r[ix["ma_to_chuc_ket_nap"]] else org
        category = CATEGORIES[r[ix["doi_tuong"]]]
        cat_adm = CATEGORIES.get(r[ix["doi_tuong_khi_ket_nap"]], category)
        admitted = day(r[ix["ngay_vao_dang"]])
        recognized = day(r[ix["ngay_chinh_thuc"]])
        a = out(admitted)
        members.append(
            (
                pk,
                r[ix["ma_dang_vien"]],
                name,
                folded,
                folded.rsplit(" ", 1)[-1],
                out(day(r[ix["ngay_sinh"]])),
                GENDERS[r[ix["gioi_tinh"]]],
                r[ix["dan_toc"]],
                category,
                None,
                "",
                ids[n],
                phones[n],
                org,
                "active",
                recognized is not None,
                a,
                adm_org,
                cat_adm,
                a,
                out(add_months(admitted, PROBATION_MONTHS)),
                out(recognized),
                None,
                None,
                a,
                a,
                1,
                stamp,
                stamp,
            )
        )
        events.append(
            (pk, "admitted", a, stamp, "", None, "", None, "", "", data, adm_org, "active", cat_adm)
        )
        if org != adm_org:
            events.append(
                (
                    pk,
                    "reassigned",
                    a,
                    stamp,
                    "",
                    None,
                    "",
                    None,
                    "",
                    "",
                    data,
                    org,
                    "active",
                    cat_adm,
                )
            )
        if category != cat_adm:
            events.append(
                (
                    pk,
                    "category_changed",
                    a,
                    stamp,
                    "",
                    None,
                    "",
                    None,
                    "",
                    "",
                    data,
                    org,
                    "active",
                    category,
                )
            )
        if recognized is not None:
            events.append(
                (
                    pk,
                    "recognized",
                    out(recognized),
                    stamp,
                    "",
                    None,
                    "",
                    None,
                    "",
                    "",
                    data,
                    org,
                    "active",
                    category,
                )
            )
    return members, events


TALLY_KINDS = ("admitted", "removed", "expelled")
TALLY_SQL = (
    "INSERT INTO reports_eventtally (ancestor, ym, unit, kind, school_level, category, n) "
    "VALUES ({marks}) ON CONFLICT (ancestor, ym, unit, kind, school_level, category) "
    "DO UPDATE SET n = reports_eventtally.n + excluded.n"
)


def tallies(events: list[tuple], orgs: list[tuple[int, str, str]], iso: bool) -> list[tuple]:
    """The dashboard's tallies of ``events`` (the floor's event tuples): each admission,
    removal or expulsion of org O in month M counts once for every org A on O's path (O
    included) under unit U (A's child on that path, O itself for A = O) and once under
    unit 0; the school level is O's for an admission, the category a pupil's or student's
    admitted at a school org, or a student removed for abandoning activity."""
    from collections import Counter

    by_id = {pk: (path, level) for pk, path, level in orgs}
    by_path = {path: pk for pk, path, _level in orgs}
    step = min(len(path) for _pk, path, _level in orgs)  # the root's path: one level
    groups: Counter = Counter()
    for e in events:
        kind = e[1]
        if kind not in TALLY_KINDS:
            continue
        day = e[2]
        year, month = (int(day[:4]), int(day[5:7])) if iso else (day.year, day.month)
        level = by_id[e[11]][1]
        category = e[13]
        if kind == "admitted":
            category = category if level and category in ("student", "pupil") else ""
        else:
            category = "student" if e[9] == "abandoned_activity" and category == "student" else ""
            level = ""
        groups[(e[11], year * 12 + month - 1, kind, level, category)] += 1
    out: Counter = Counter()
    for (org, ym, kind, level, category), n in groups.items():
        path = by_id[org][0]
        for end in range(step, len(path) + 1, step):
            ancestor = by_path[path[:end]]
            unit = by_path[path[: end + step]]
            out[(ancestor, ym, unit, kind, level, category)] += n
            out[(ancestor, ym, 0, kind, level, category)] += n
    return [(*key, n) for key, n in out.items()]


def sqlite(path: str, file: str) -> dict:
    import sqlite3

    # A NULL bound without the failed adapter lookup sqlite3 makes for None (as chibo's
    # core.bulk.null_adapted).
    sqlite3.register_adapter(type(None), {}.get)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA cache_size=-131072")
    conn.execute("BEGIN IMMEDIATE")
    orgs = dict(conn.execute("SELECT code, id FROM orgs_org"))
    first = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM members_member").fetchone()[0]) + 1
    members, events = build(read(file), orgs, first, iso=True)
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
        "sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('members_member', 'members_memberevent')"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'members_memberevent'"
    ).fetchall()
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    marks = ", ".join("?" * len(members[0]))
    conn.executemany(f"INSERT INTO members_member ({MEMBER_COLUMNS}) VALUES ({marks})", members)  # noqa: S608
    marks = ", ".join("?" * len(events[0]))
    conn.executemany(f"INSERT INTO members_memberevent ({EVENT_COLUMNS}) VALUES ({marks})", events)  # noqa: S608
    orgs_rows = conn.execute("SELECT id, path, school_level FROM orgs_org").fetchall()
    conn.executemany(TALLY_SQL.format(marks=", ".join("?" * 7)), tallies(events, orgs_rows, True))
    for _name, sql in indexes + triggers:
        conn.execute(sql)
    conn.execute("ANALYZE members_member")
    conn.execute("ANALYZE members_memberevent")
    conn.execute("COMMIT")
    conn.close()
    return {"rows": len(members), "events": len(events)}


def _json_text() -> type:
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class JsonText(Dumper):
        """Binary jsonb from JSON text already serialised: a version byte and the text."""

        format = Format.BINARY
        oid = 3802

        def dump(self, obj: str) -> bytes:
            return b"\x01" + obj.encode()

    return JsonText


def postgresql(conninfo: str, file: str) -> dict:
    import queue
    import threading

    import psycopg

    JsonText = _json_text()

    tables = ["members_member", "members_memberevent"]
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    rows = read(file)
    step("read")
    with psycopg.connect(conninfo) as conn:
        orgs = dict(conn.execute("SELECT code, id FROM orgs_org").fetchall())
        count = len(rows) - 1
        step("connect")
        # The indexes that are not constraints (the primary keys and member_code's unique
        # constraint stay), and the foreign keys OF the two tables: those are the ones whose
        # checks an INSERT fires (Django's are deferred: queued per row, run at commit). The
        # keys other tables hold on members fire on their UPDATE/DELETE only: kept.
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        ).fetchall()
        fks = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        ).fetchall()
        for table, name, _d in fks:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _d in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("ALTER TABLE members_memberevent DISABLE TRIGGER USER")
        # The members' ids in one block: the table is held alone (the DROPs above), and
        # ALTER SEQUENCE locks the sequence against any other nextval until commit.
        sequence = conn.execute("SELECT pg_get_serial_sequence('members_member', 'id')").fetchone()[
            0
        ]
        conn.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
        first = conn.execute("SELECT nextval(%s)", [sequence]).fetchone()[0]
        if count > 1:
            conn.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {count - 1}")
            conn.execute("SELECT nextval(%s)", [sequence])
            conn.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
        step("drop")
        types = {
            table: dict(
                conn.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attnum > 0 AND NOT attisdropped",
                    [table],
                ).fetchall()
            )
            for table in tables
        }
        header, body = rows[0], rows[1:]
        sealer = Sealer()
        statements = [
            (
                f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)",
                [types[table][c.strip()] for c in columns.split(",")],
            )
            for table, columns in (
                ("members_member", MEMBER_COLUMNS),
                ("members_memberevent", EVENT_COLUMNS),
            )
        ]
        # A worker thread COPYs chunk k (its members, then its events: binary, each value in
        # the column's own format) while this thread builds chunk k+1: the server stores
        # rows while the client builds, and the socket waits release the GIL.
        waiting: queue.Queue = queue.Queue(maxsize=2)
        failed: list[BaseException] = []

        def work() -> None:
            try:
                while (chunk := waiting.get()) is not None:
                    for (statement, column_types), values in zip(statements, chunk, strict=True):
                        cursor = conn.cursor()
                        cursor.adapters.register_dumper(None, JsonText)
                        with cursor.copy(statement) as copy:
                            copy.set_types(column_types)
                            for row in values:
                                copy.write_row(row)
            except BaseException as exc:
                failed.append(exc)
                while waiting.get() is not None:
                    pass

        worker = threading.Thread(target=work)
        worker.start()
        events: list[tuple] = []
        written = 0
        try:
            for start in range(0, len(body), 5000):
                chunk = build(
                    [header, *body[start : start + 5000]], orgs, first + start, False, sealer
                )
                events.extend(chunk[1])  # for the tallies
                written += len(chunk[0])
                waiting.put(chunk)
        finally:
            waiting.put(None)
            worker.join()
        if failed:
            raise failed[0]
        step("build_copy")
        for _name, definition in indexes:
            conn.execute(definition)
        step("indexes")
        for table, name, definition in fks:  # added back and validated: one pass each
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        step("foreign_keys")
        orgs_rows = conn.execute("SELECT id, path, school_level FROM orgs_org").fetchall()
        conn.cursor().executemany(
            TALLY_SQL.format(marks=", ".join(["%s"] * 7)), tallies(events, orgs_rows, False)
        )
        step("tallies")
        conn.execute("ALTER TABLE members_memberevent ENABLE TRIGGER USER")
        conn.execute("ANALYZE members_member")
        conn.execute("ANALYZE members_memberevent")
        step("analyze")
    step("commit")
    return {"rows": written, "events": len(events), "steps": steps}


def main() -> None:
    vendor, target, file = sys.argv[1:4]
    result = (sqlite if vendor == "sqlite" else postgresql)(target, file)
    result["seconds"] = round(time.perf_counter() - STARTED, 3)
    result["file"] = Path(file).name
    print(json.dumps(result))


if __name__ == "__main__":
    main()
