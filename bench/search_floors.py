"""Floors of the member name search and the member list: the same answers, written without
chibo.

Plain ``sqlite3`` or ``psycopg`` on a connection of their own (read only), no Django, no
chibo module: the search text is folded here, the scope is read from the role assignment
by hand, and each query is the best plan we could write for the answer (checked equal with
chibo's, case by case, in bench/scale.py):

- the whole tree (no org outside the root's path, checked once): the folded-name index in
  list order from the prefix, ``LIMIT 50``, no org read; a one-word search also reads each
  given name of its range as an ordered stream (the distinct given names by a loose index
  scan) and the member code, and the streams are merged here (``heapq.merge``);
- a narrow scope: the scope's orgs by path, each org's members by the (org, status, name)
  index, sorted.

The page reads the columns the list shows (no citizen ID, no phone), with the org's name, in
the statement that finds it. On PostgreSQL nothing is prepared (``prepare_threshold=None``):
each statement is planned with its values, as chibo's are (psycopg prepares a statement
after five runs, and PostgreSQL may then choose a generic plan for a range of names: the
floor of the 100k list's search took 2.3 or 9.7 ms run to run).
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from typing import Any

ON_ROLLS = ("active", "exempted", "temp_away")
COLUMNS = (
    "m.member_code, m.name_folded, m.full_name, m.date_of_birth, m.gender, m.category, "
    "m.status, m.is_full, m.admitted_on, m.recognized_on, o.code, o.name"
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip()


def bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Floor:
    """One read-only connection; ``search(username, text)`` → the page's member codes."""

    def __init__(self, vendor: str, target: str) -> None:
        self.vendor = vendor
        if vendor == "sqlite":
            self.conn: Any = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(target, autocommit=True, prepare_threshold=None)
            self.mark = "%s"
        self._scopes: dict[str, tuple[str, str, bool]] = {}

    def close(self) -> None:
        self.conn.close()

    def q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.mark != "?":
            sql = sql.replace("?", "%s")
        return list(self.conn.execute(sql, list(params)).fetchall())

    def _indexed(self, index: str) -> str:
        return f" INDEXED BY {index}" if index and self.vendor == "sqlite" else ""

    def scope(self, username: str) -> tuple[str, str, bool]:
        """(path, bound, whole tree) of the user's one role assignment."""
        if username not in self._scopes:
            (path,) = self.q(
                "SELECT o.path FROM accounts_roleassignment r JOIN auth_user u ON u.id = r.user_id "
                "JOIN orgs_org o ON o.id = r.org_id WHERE u.username = ?",
                [username],
            )[0]
            end = bound(path)
            outside = self.q(
                "SELECT 1 FROM orgs_org WHERE path < ? OR path >= ? LIMIT 1", [path, end]
            )
            self._scopes[username] = (path, end, not outside)
        return self._scopes[username]

    # --- the name search: the first page of 50 ------------------------------------------

    def search(self, username: str, text: str, limit: int = 50) -> list[str]:
        path, end, whole = self.scope(username)
        if whole:
            return self._by_name(text, limit)
        return self._by_orgs(path, end, text, limit)

    def _terms(self, text: str) -> tuple[str | None, bool, list[str]]:
        """(folded prefix or None, one word, codes)."""
        code = text.strip()
        if not code:
            return None, False, []
        codes = list(dict.fromkeys([code, code.upper()]))
        if any(ch.isdigit() for ch in code):
            return None, False, codes
        folded = fold(text)
        if " " in folded:
            return folded, False, []
        return folded, True, codes

    def _page(self, where: str, params: list[Any], limit: int, index: str = "") -> list[tuple]:
        """(name, code, the list's columns…) of the first ``limit`` matches in list order:
        the index in order, each row's org by its key (one statement for the page)."""
        marks = ", ".join("?" * len(ON_ROLLS))
        join = "CROSS JOIN" if self.vendor == "sqlite" else "JOIN"  # SQLite: members first
        return self.q(
            f"SELECT m.name_folded, m.member_code, {COLUMNS} FROM members_member m"  # noqa: S608
            f"{self._indexed(index)} {join} orgs_org o ON o.id = m.org_id "
            f"WHERE {where} AND m.status IN ({marks}) "
            "ORDER BY m.name_folded, m.member_code LIMIT ?",
            [*params, *ON_ROLLS, limit],
        )

    def _by_name(self, text: str, limit: int) -> list[str]:
        folded, one_word, codes = self._terms(text)
        streams: list[list[tuple]] = []
        if folded is None and not codes:  # the plain list
            streams.append(self._page("1 = 1", [], limit, "member_name_idx"))
        if folded is not None:
            streams.append(
                self._page(
                    "m.name_folded >= ? AND m.name_folded < ?",
                    [folded, bound(folded)],
                    limit,
                    "member_name_idx",
                )
            )
        if one_word:
            for given in self._given_names(folded):
                streams.append(self._page("m.given_folded = ?", [given], limit, "member_given_idx"))
        if codes:
            marks = ", ".join("?" * len(codes))
            streams.append(self._page(f"m.member_code IN ({marks})", codes, limit))
        page: list[str] = []
        last = None
        for row in heapq.merge(*streams):
            if row[:2] != last:
                page.append(row[1])
                last = row[:2]
            if len(page) == limit:
                break
        return page

    def _given_names(self, folded: str) -> list[str]:
        """The distinct given names in the range: one index seek each."""
        names: list[str] = []
        value, end, op = folded, bound(folded), ">="
        while True:
            row = self.q(
                f"SELECT MIN(given_folded) FROM members_member WHERE given_folded {op} ? "  # noqa: S608
                "AND given_folded < ?",
                [value, end],
            )
            if row[0][0] is None:
                return names
            names.append(row[0][0])
            value, op = row[0][0], ">"

    def _by_orgs(self, path: str, end: str, text: str, limit: int) -> list[str]:
        folded, one_word, codes = self._terms(text)
        where = ["o.path >= ? AND o.path < ?"]
        params: list[Any] = [path, end]
        marks = ", ".join("?" * len(ON_ROLLS))
        where.append(f"m.status IN ({marks})")
        params += ON_ROLLS
        terms = []
        if folded is not None:
            terms.append("(m.name_folded >= ? AND m.name_folded < ?)")
            params += [folded, bound(folded)]
        if one_word:
            terms.append("(m.given_folded >= ? AND m.given_folded < ?)")
            params += [folded, bound(folded)]
        if codes:
            terms.append(f"m.member_code IN ({', '.join('?' * len(codes))})")
            params += codes
        if terms:
            where.append("(" + " OR ".join(terms) + ")")
        join = "CROSS JOIN" if self.vendor == "sqlite" else "JOIN"
        rows = self.q(
            f"SELECT m.member_code, {COLUMNS} FROM orgs_org o {join} members_member m"  # noqa: S608
            f"{self._indexed('member_org_state_idx')} ON m.org_id = o.id "
            f"WHERE {' AND '.join(where)} ORDER BY m.name_folded, m.member_code LIMIT ?",
            [*params, limit],
        )
        return [row[0] for row in rows]

    # --- the list page's count ------------------------------------------------------------

    def count(self, username: str, cap: int, text: str = "") -> int:
        """Members on the rolls in scope matching ``text``, counted up to ``cap`` (the
        page's "more than …")."""
        path, end, whole = self.scope(username)
        marks = ", ".join("?" * len(ON_ROLLS))
        where, params = [f"m.status IN ({marks})"], list(ON_ROLLS)
        folded, one_word, codes = self._terms(text)
        terms = []
        if folded is not None:
            terms.append("(m.name_folded >= ? AND m.name_folded < ?)")
            params += [folded, bound(folded)]
        if one_word:
            terms.append("(m.given_folded >= ? AND m.given_folded < ?)")
            params += [folded, bound(folded)]
        if codes:
            terms.append(f"m.member_code IN ({', '.join('?' * len(codes))})")
            params += codes
        if terms:
            where.append("(" + " OR ".join(terms) + ")")
        if whole:
            sql = (
                f"SELECT COUNT(*) FROM (SELECT 1 FROM members_member m "  # noqa: S608
                f"WHERE {' AND '.join(where)} LIMIT ?) n"
            )
            return self.q(sql, [*params, cap])[0][0]
        join = "CROSS JOIN" if self.vendor == "sqlite" else "JOIN"
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM orgs_org o {join} members_member m"  # noqa: S608
            f"{self._indexed('member_org_state_idx')} ON m.org_id = o.id "
            f"WHERE o.path >= ? AND o.path < ? AND {' AND '.join(where)} LIMIT ?) n"
        )
        return self.q(sql, [path, end, *params, cap])[0][0]
