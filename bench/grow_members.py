"""Grow a members-only demo to N times its size in a few minutes (the 5.5M search run).

    chibo seed-demo --members-only --members 500000      # DATABASE_URL=postgres://…/NAME
    python bench/grow_members.py postgres://…/NAME 10    # + 10 copies: 5,500,000 members
    python bench/grow_members.py var/big.sqlite3 13      # SQLite: a copy of a seeded file

Seeding 5.5M members with `seed-demo` builds every person in Python (about 95 minutes on a
quiet machine); this copies the seeded orgs and members in SQL instead (about 75 s for
5M rows at nice 19 under load): every org below the city root `COPIES` times (id + k·10⁶,
its path re-encoded step by step, code suffixed `.k`, parent and merge target mapped), and
every member (id + k·N, code `C<kk>` (two digits, so that more than ten copies stay
unique) + the original's digits, the same names, statuses and
dates, its orgs mapped; no events). The non-unique member indexes are dropped first and
built again after, then the tables are vacuumed and analysed. The demo accounts keep their
original city, school and cell: the school and cell scopes stay their size, the city grows.
Only for a database of your own made for this (it refuses a database already grown).
On SQLite: a path or ``sqlite:///`` URL (a copy of a seeded file, written in place).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator

import psycopg

OFFSET = 1_000_000  # org ids of copy k: id + k * OFFSET (paths are base-36 ids, 6 characters)
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = DIGITS[r] + out
    return out.rjust(6, "0")


ORG_COLUMNS = ("org_id", "admitting_org_id", "pending_org_id", "temp_host_org_id")


def org_copies(orgs: list[tuple], at: dict[str, int], root: int, copies: int) -> Iterator[list]:
    """Every org below ``root``, ``copies`` times: copy k's ids + k·OFFSET, its path re-encoded
    step by step, code suffixed ``.k``, parent and merge target mapped (the root stays)."""
    for k in range(1, copies + 1):

        def moved(pk: int | None, k: int = k) -> int | None:
            return pk if pk is None or pk == root else pk + k * OFFSET

        for org in orgs:
            if org[at["id"]] == root:
                continue
            row = list(org)
            path = org[at["path"]]
            steps = [path[i : i + 6] for i in range(0, len(path), 6)]
            row[at["id"]] = org[at["id"]] + k * OFFSET
            row[at["code"]] = f"{org[at['code']]}.{k}"
            row[at["path"]] = steps[0] + "".join(encode(int(s, 36) + k * OFFSET) for s in steps[1:])
            row[at["parent_id"]] = moved(org[at["parent_id"]])
            row[at["merged_into_id"]] = moved(org[at["merged_into_id"]])
            yield row


def member_copy(columns: list[str], k: int, n: int, root: int) -> str:
    """The INSERT … SELECT of copy k of members 1..n: ids + k·n, codes ``C<kk>`` (two digits,
    so that more than ten copies stay unique), orgs of copy k (the root stays)."""

    def column(c: str) -> str:
        if c == "id":
            return f"id + {k * n}"
        if c == "member_code":
            return f"'C{k - 1:02d}' || substr(member_code, 3)"
        if c in ORG_COLUMNS:
            return f"CASE WHEN {c} IS NULL OR {c} = {root} THEN {c} ELSE {c} + {k * OFFSET} END"
        return c

    return (
        f"INSERT INTO members_member ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(map(column, columns))} FROM members_member WHERE id <= {n}"
    )


def grow(url: str, copies: int) -> None:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        (n,) = cur.execute("SELECT max(id) FROM members_member").fetchone()
        (count,) = cur.execute("SELECT count(*) FROM members_member").fetchone()
        (top,) = cur.execute("SELECT max(id) FROM orgs_org").fetchone()
        if n != count or top >= OFFSET:
            raise SystemExit("refused: not a freshly seeded demo (ids not 1..N, or already grown)")
        cols = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'orgs_org'"
                " ORDER BY ordinal_position"
            )
        ]
        at = {c: i for i, c in enumerate(cols)}
        orgs = cur.execute(f"SELECT {', '.join(cols)} FROM orgs_org").fetchall()  # noqa: S608
        (root,) = [o[at["id"]] for o in orgs if o[at["parent_id"]] is None]
        indexes = cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = 'members_member'::regclass AND NOT indisunique"
        ).fetchall()
        for name, _ddl in indexes:
            cur.execute(f"DROP INDEX {name}")
        cur.execute("SET session_replication_role = replica")  # no key triggers for the copies
        with cur.copy(f"COPY orgs_org ({', '.join(cols)}) FROM STDIN") as copy:
            for row in org_copies(orgs, at, root, copies):
                copy.write_row(row)
        print(f"orgs: {len(orgs) * copies:,} copies ({time.perf_counter() - started:.0f} s)")
        mcols = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'members_member' ORDER BY ordinal_position"
            )
        ]
        for k in range(1, copies + 1):
            cur.execute(member_copy(mcols, k, n, root))
            conn.commit()
            print(f"members: copy {k} ({time.perf_counter() - started:.0f} s)", flush=True)
        cur.execute("SET session_replication_role = origin")
        cur.execute("SET maintenance_work_mem = '1GB'")
        for name, ddl in indexes:
            cur.execute(ddl)
            conn.commit()
            print(f"index {name} ({time.perf_counter() - started:.0f} s)", flush=True)
        cur.execute(
            f"ALTER TABLE members_member ALTER COLUMN id RESTART WITH {n * (copies + 1) + 1}"
        )
        cur.execute(f"ALTER TABLE orgs_org ALTER COLUMN id RESTART WITH {(copies + 1) * OFFSET}")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE members_member")
        conn.execute("VACUUM ANALYZE orgs_org")
    print(f"done: {n * (copies + 1):,} members ({time.perf_counter() - started:.0f} s)")


def grow_sqlite(path: str, copies: int) -> None:
    """The same copies in a SQLite file (a copy of a seeded database: it is written in place)."""
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    cur = conn.cursor()
    ((n, count),) = cur.execute("SELECT max(id), count(*) FROM members_member").fetchall()
    ((top,),) = cur.execute("SELECT max(id) FROM orgs_org").fetchall()
    if n != count or top >= OFFSET:
        raise SystemExit("refused: not a freshly seeded demo (ids not 1..N, or already grown)")
    cols = [r[1] for r in cur.execute("PRAGMA table_info(orgs_org)")]
    at = {c: i for i, c in enumerate(cols)}
    orgs = cur.execute(f"SELECT {', '.join(cols)} FROM orgs_org").fetchall()  # noqa: S608
    (root,) = [o[at["id"]] for o in orgs if o[at["parent_id"]] is None]
    indexes = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members_member'"
        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
    ).fetchall()
    cur.execute("PRAGMA journal_mode = OFF")
    cur.execute("PRAGMA synchronous = OFF")
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.execute("BEGIN")
    for name, _ddl in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    rows = list(org_copies(orgs, at, root, copies))
    marks = ", ".join("?" * len(cols))
    cur.executemany(f"INSERT INTO orgs_org ({', '.join(cols)}) VALUES ({marks})", rows)  # noqa: S608
    print(f"orgs: {len(rows):,} copies ({time.perf_counter() - started:.0f} s)", flush=True)
    mcols = [r[1] for r in cur.execute("PRAGMA table_info(members_member)")]
    for k in range(1, copies + 1):
        cur.execute(member_copy(mcols, k, n, root))
        print(f"members: copy {k} ({time.perf_counter() - started:.0f} s)", flush=True)
    for name, ddl in indexes:
        cur.execute(ddl)
        print(f"index {name} ({time.perf_counter() - started:.0f} s)", flush=True)
    cur.execute("COMMIT")
    cur.execute("ANALYZE")
    conn.close()
    print(f"done: {n * (copies + 1):,} members ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    target, times = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    if target.startswith(("postgres://", "postgresql://")):
        grow(target, times)
    else:
        grow_sqlite(target.removeprefix("sqlite:///"), times)
