"""bench/grow_members.py on SQLite: the 5.5M search run's copies keep codes, paths and orgs right.

No database of chibo's: a small file with the columns the script moves (it reads the
tables' columns itself), grown more than ten times so that the copies' codes are checked
where one-digit prefixes would collide.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.grow_members import OFFSET, encode, grow_sqlite


def _seed(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE orgs_org (id INTEGER PRIMARY KEY, code TEXT UNIQUE, path TEXT UNIQUE,
                               parent_id INTEGER, merged_into_id INTEGER, name TEXT);
        CREATE TABLE members_member (id INTEGER PRIMARY KEY, member_code TEXT UNIQUE,
                                     org_id INTEGER, admitting_org_id INTEGER,
                                     pending_org_id INTEGER, temp_host_org_id INTEGER,
                                     name_folded TEXT);
        CREATE INDEX member_name_idx ON members_member (name_folded, id);
        CREATE INDEX member_org_idx ON members_member (org_id);
        """
    )
    # The city (1), a school (2) below it, a cell (3) below the school.
    orgs = [
        (1, "TU", encode(1), None, None, "city"),
        (2, "S", encode(1) + encode(2), 1, None, "school"),
    ]
    orgs.append((3, "S-C", encode(1) + encode(2) + encode(3), 2, None, "cell"))
    conn.executemany("INSERT INTO orgs_org VALUES (?, ?, ?, ?, ?, ?)", orgs)
    # Codes of 9 and 8 digits: with one-digit prefixes copy 2 of the first (C1 000000001) and
    # copy 11 of the second (C10 00000001) would both be C1000000001.
    members = [
        (1, "DV000000001", 3, 1, None, None, "nguyen van a"),
        (2, "DV00000001", 3, None, 2, None, "tran thi b"),
        (3, "DV00000003", 2, None, None, 3, "le van c"),
    ]
    conn.executemany("INSERT INTO members_member VALUES (?, ?, ?, ?, ?, ?, ?)", members)
    conn.commit()
    conn.close()


def test_eleven_copies_keep_codes_unique_and_each_copy_in_its_own_orgs(tmp_path: Path) -> None:
    path = tmp_path / "grow.sqlite3"
    _seed(path)

    grow_sqlite(str(path), 11)

    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT count(*), count(DISTINCT member_code) FROM members_member"
    ).fetchone() == (36, 36)
    assert conn.execute("SELECT count(*) FROM orgs_org").fetchone() == (1 + 2 * 12,)
    # Every org below the city sits under its own copy's parent, its path its parent's + its id.
    orgs = {
        i: (path_, parent)
        for i, path_, parent in conn.execute("SELECT id, path, parent_id FROM orgs_org")
    }
    for org_id, (org_path, parent) in orgs.items():
        if parent is not None:
            assert org_path == orgs[parent][0] + encode(org_id)
    # Copy k's members: id + k·3, in copy k's orgs (the city stays the city), same names.
    for k in range(12):
        rows = conn.execute(
            "SELECT org_id, admitting_org_id, pending_org_id, temp_host_org_id, name_folded"
            " FROM members_member WHERE id IN (?, ?, ?) ORDER BY id",
            (1 + 3 * k, 2 + 3 * k, 3 + 3 * k),
        ).fetchall()
        shift = k * OFFSET
        assert rows == [
            (3 + shift, 1, None, None, "nguyen van a"),
            (3 + shift, None, 2 + shift, None, "tran thi b"),
            (2 + shift, None, None, 3 + shift, "le van c"),
        ]
    # The dropped indexes are back and the statistics were taken.
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"member_name_idx", "member_org_idx"} <= names
    assert conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    conn.close()


def test_a_grown_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grow.sqlite3"
    _seed(path)
    grow_sqlite(str(path), 1)

    with pytest.raises(SystemExit, match="already grown"):
        grow_sqlite(str(path), 1)
