"""The member list's queries (the page, the API and the page's count), planned per scope.

The answer is ``selectors.member_list``'s — the reference; tests/members/test_search_plans.py
compares them query by query — but the database is told which index drives the query, so a
city-wide name search reads about fifty index entries instead of every member of the city
(docs/performance.md, "Member search"). Two plans:

``name`` (wide scopes): the name index in order — ``member_name_idx`` (name, code, status,
    org) — stopping at the page's last row. Each row's org is checked against the scope,
    unless no org lies outside it (the city office): that test is part of the statement
    (``NOT EXISTS`` an org outside the scope), so an org created meanwhile cannot widen what
    is shown. A one-word search also matches given names: ``member_given_idx`` (given, name,
    code, status, org) gives one stream in name order per given name of the range (found
    by a loose index scan), and a UNION merges the streams with the name's and the code's;
    a range of more than ``MAX_STREAMS`` given names (one or two letters) is read by the name
    index in order, each row's given name checked, as dense as the name's own stream.
``orgs`` (narrow scopes): the scope's orgs by path, then their members by
    ``member_org_state_idx`` (org, status, name, code, given): a name range is a seek
    inside each org, everything the filter needs is in the index; the matches are sorted.

A scope holding a top org's subtree (the city: ``holds_a_top_org``, known from the paths)
takes ``name``; another scope counts its matches with ``orgs`` (index only,
stopped at ``WIDE`` + 1): up to ``WIDE`` the page is read the same way, beyond it by name,
where fifty matches are close together. A scope that holds at most ``WIDE`` members in all
(a cell, a school: counted once per process every ``SMALL_SECONDS``, ``_small_scope``) takes
``orgs`` without counting: one statement per page. The plan is fixed in the statement, so that the statistics of a small database cannot
choose another: on SQLite by ``INDEXED BY`` and ``CROSS JOIN`` (join order); on PostgreSQL
by a ``LATERAL`` subquery per org and an org check per row, each behind ``OFFSET 0`` (not
flattened into a join). tests/members/test_search_plans.py checks both with EXPLAIN;
``make bench`` prints the plan at scale.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from chibo.lib.text import fold, prefix_upper_bound
from chibo.members.models import ON_ROLLS, Category, Status
from chibo.orgs.models import STEP

WIDE = 5000  # matches in a scope from which the name index drives the page
# Scopes known to hold at most WIDE members (``MemberSearch._small_scope``), per process:
# (database, WIDE, path ranges) -> (until when, small).
SMALL_SECONDS = 300.0
SMALL_KEPT = 10_000
_SMALL: dict[tuple[Any, ...], tuple[float, bool]] = {}
MAX_STREAMS = 8  # given names in a one-word range read as ordered streams (else by name)

NAME_INDEX = "member_name_idx"
GIVEN_INDEX = "member_given_idx"
ORG_INDEX = "member_org_state_idx"
MEMBERS = "members_member"
ORGS = "orgs_org"

Range = tuple[str, str]

# What a list row shows (members/_results.html, the API's list items, the cursor, the audit):
# a page reads these columns only (never the encrypted citizen ID or phone) into ``ListRow``s,
# one statement for the fifty rows, no model instance built (building fifty Members cost
# about 1.5 ms, ten times the search's own statement). A field a list shows: add it here.
LIST_COLUMNS = (
    "m.id",
    "m.member_code",
    "m.full_name",
    "m.name_folded",
    "m.date_of_birth",
    "m.gender",
    "m.category",
    "m.status",
    "m.is_full",
    "m.admitted_on",
    "o.code",
    "o.name",
)
_CATEGORY_LABELS = dict(Category.choices)
_STATUS_LABELS = dict(Status.choices)


@dataclass(slots=True)
class ListOrg:
    """The org of a list row: what the list shows of it."""

    code: str
    name: str


@dataclass(slots=True)
class ListRow:
    """One row of the member list: the list's columns of a member (``LIST_COLUMNS``), with the
    names the templates and the API use on a ``Member`` (``pk``, ``org.name``,
    ``get_status_display``…)."""

    pk: int
    member_code: str
    full_name: str
    name_folded: str
    date_of_birth: dt.date
    gender: str
    category: str
    status: str
    is_full: bool
    admitted_on: dt.date
    org: ListOrg

    @classmethod
    def of(cls, row: Sequence[Any]) -> ListRow:
        pk, code, name, folded, born, gender, category, status, full, admitted, org, org_name = row
        return cls(
            pk, code, name, folded, born, gender, category, status, full, admitted,
            ListOrg(org, org_name),
        )  # fmt: skip

    def get_category_display(self) -> str:
        return str(_CATEGORY_LABELS.get(self.category, self.category))

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


@dataclass(frozen=True)
class Terms:
    """What a search text matches (``selectors.search_q``'s rules): a range of folded names,
    of folded given names (one word), member codes exactly."""

    name: Range | None
    given: Range | None
    codes: tuple[str, ...]


def terms(text: str) -> Terms | None:
    """The text's terms; None when it filters nothing (empty, or nothing left once folded)."""
    code = text.strip()
    if not code:
        return None
    codes = tuple(dict.fromkeys((code, code.upper())))
    if any(ch.isdigit() for ch in code):  # names have no digits: a code only
        return Terms(None, None, codes)
    folded = fold(text)
    if not folded:
        return None
    name = (folded, prefix_upper_bound(folded))
    if " " in folded:  # codes have no spaces: a name only
        return Terms(name, None, ())
    return Terms(name, name, codes)


def intersect(scope: Sequence[Range], org: Any) -> list[Range]:
    """The path ranges of ``scope`` inside ``org``'s subtree (subtrees nest or are apart)."""
    if org is None:
        return sorted(scope)
    out = []
    for start, bound in scope:
        if start <= org.path < bound:
            return [(org.path, org.path_bound)]
        if org.path <= start < org.path_bound:
            out.append((start, bound))
    return sorted(out)


def _inside(column: str, ranges: Sequence[Range]) -> tuple[str, list[str]]:
    sql = " OR ".join(f"({column} >= %s AND {column} < %s)" for _ in ranges)
    return f"({sql})", [value for pair in ranges for value in pair]


def _outside(column: str, ranges: Sequence[Range]) -> tuple[str, list[str]]:
    """Paths before, between and after the (sorted, disjoint) ranges."""
    parts = [f"{column} < %s"]
    params = [ranges[0][0]]
    for (_start, bound), (following, _b) in itertools.pairwise(ranges):
        parts.append(f"({column} >= %s AND {column} < %s)")
        params += [bound, following]
    parts.append(f"{column} >= %s")
    params.append(ranges[-1][1])
    return "(" + " OR ".join(parts) + ")", params


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _indexed(index: str, sqlite: bool) -> str:
    """SQLite: this index drives the table (an error if it cannot); PostgreSQL chooses."""
    return f" INDEXED BY {index}" if sqlite else ""


def _q(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class MemberSearch:
    """One filtered member list of one actor: ``rows`` (keyset), slices (pages), ``count_upto``.

    ``ranges``: the org path ranges in scope (scope ∩ the org filter), sorted.
    """

    ordered = True  # for Django's Paginator

    def __init__(
        self,
        ranges: Sequence[Range],
        *,
        text: str = "",
        statuses: Sequence[str] = ON_ROLLS,
        category: str = "",
        full: bool | None = None,
    ) -> None:
        self.ranges = list(ranges)
        self.terms = terms(text) if text else None
        self.statuses = tuple(statuses)
        self.category = category
        self.full = full
        self._whole: bool | None = None
        self._counts: dict[int, int] = {}
        self._small: bool | None = None
        self._lite = _sqlite()  # read once: ``connection`` is a thread-local proxy (~4 µs a read)

    # --- what the callers use ---------------------------------------------------------

    def rows(self, *, limit: int, offset: int = 0, after: Range | None = None) -> list[ListRow]:
        """Members in list order (name, code): ``limit`` of them after ``offset`` rows, or
        after the row (name, code) ``after`` (the API's cursor).

        One statement: the page's ids (``sql``, its plan untouched behind ``MATERIALIZED``),
        then their rows by primary key, in the same order."""
        if not self.ranges or limit <= 0:
            return []
        if not self._lite and self._known_plan() is None and not self._small_scope():
            ids, params = self._either(limit, offset, after)
        else:
            ids, params = self.sql(limit=limit, offset=offset, after=after)
        sql = (
            f"WITH page AS MATERIALIZED ({ids}) SELECT {', '.join(LIST_COLUMNS)} "  # noqa: S608
            f"FROM page JOIN {MEMBERS} m ON m.id = page.id JOIN {ORGS} o ON o.id = m.org_id "
            "ORDER BY m.name_folded, m.member_code"
        )
        return [ListRow.of(row) for row in _q(sql, params)]

    def __getitem__(self, item: slice) -> list[ListRow]:
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("a MemberSearch is sliced by pages only")
        start = item.start or 0
        if item.stop is None:
            raise TypeError("a page needs an end")
        return self.rows(limit=max(item.stop - start, 0), offset=start)

    def count(self) -> int:
        """The exact number of matches (unbounded: prefer ``count_upto``)."""
        return self.count_upto(10**12)

    def __len__(self) -> int:
        return self.count()

    def count_upto(self, cap: int) -> int:
        """min(matches, ``cap``): a page shows "more than …" rather than counting a city."""
        known = [n for limit, n in self._counts.items() if n < limit or limit >= cap]
        if known:
            return min(min(known), cap)
        if not self.ranges:
            n = 0
        elif (self.terms is not None and self.terms.name is None) or self.holds_a_top_org():
            n = self._count_by_name(cap)  # a member code, or the whole tree
        else:  # index only, even where the page is read by name; no plan probe first (the
            n = self._count_by_orgs(cap)  # count, exact below the cap, then decides the plan)
        self._counts[cap] = n
        return n

    def plan(self) -> str:
        """``name`` or ``orgs`` (module docstring); ``code`` for a search by member code."""
        known = self._known_plan()
        if known is not None:
            return known
        if self._small_scope():
            return "orgs"
        probe = self._count_by_orgs(WIDE + 1)
        self._counts[WIDE + 1] = probe
        return "orgs" if probe <= WIDE else "name"

    def _known_plan(self) -> str | None:
        """The plan if known without counting (a code, a top org's scope, a count made)."""
        if self.terms is not None and self.terms.name is None:
            return "code"
        if self.holds_a_top_org():
            return "name"
        exact = [n for limit, n in self._counts.items() if n < limit]
        if exact:
            return "orgs" if exact[0] <= WIDE else "name"
        if any(n > WIDE for n in self._counts.values()):
            return "name"
        return None

    def _small_scope(self) -> bool:
        """Whether the scope holds at most ``WIDE`` members (any status, any name): then every
        search in it has at most ``WIDE`` matches, and the count that chooses the plan would
        choose ``orgs``. Counted index-only (stopped at ``WIDE`` + 1) once per scope and
        process every ``SMALL_SECONDS`` (``_SMALL``): a cell's or a school's search makes
        one statement, not a count and the page (issue 22). A scope that grew meanwhile is
        still read by orgs until the next count: the same answers, by the slower plan."""
        if self._small is None:
            self._small = not self.holds_a_top_org() and self._counted_small()
        return self._small

    def _counted_small(self) -> bool:
        db = connection.settings_dict
        key = (db["ENGINE"], str(db["NAME"]), WIDE, tuple(self.ranges))
        now = time.monotonic()
        known = _SMALL.get(key)
        if known is not None and known[0] > now:
            return known[1]
        small = MemberSearch(self.ranges, statuses=())._count_by_orgs(WIDE + 1) <= WIDE
        if len(_SMALL) >= SMALL_KEPT:
            _SMALL.clear()
        _SMALL[key] = (now + SMALL_SECONDS, small)
        return small

    def holds_a_top_org(self) -> bool:
        """Whether the scope holds the whole subtree of an org without a parent (the city's
        committee): the scope read by name, each row's org checked unless no org lies outside
        (``_in_scope``, in the statement). Known from the paths, without a statement."""
        return any(len(start) == STEP for start, _bound in self.ranges)

    def whole_tree(self) -> bool:
        """Whether no org lies outside the scope (then no row needs its org checked)."""
        if self._whole is None:
            if not self.ranges:
                self._whole = False
            else:
                outside, params = _outside("g.path", self.ranges)
                self._whole = not _q(f"SELECT 1 FROM {ORGS} g WHERE {outside} LIMIT 1", params)  # noqa: S608
        return self._whole

    def ids(self, *, limit: int, offset: int = 0, after: Range | None = None) -> list[int]:
        if not self.ranges or limit <= 0:
            return []
        sql, params = self.sql(limit=limit, offset=offset, after=after)
        return [row[0] for row in _q(sql, params)]

    def sql(self, *, limit: int, offset: int = 0, after: Range | None = None) -> tuple[str, list]:
        """The statement that reads the page's ids (for ``ids`` and EXPLAIN)."""
        plan = self.plan()
        if plan == "orgs":
            return self._by_orgs(limit, offset, after)
        return self._by_name(limit, offset, after)

    def _either(self, limit: int, offset: int, after: Range | None) -> tuple[str, list]:
        """PostgreSQL, the plan not known yet (a narrow scope's API page): the count that
        chooses it and the page in one statement. Each plan's page sits behind a one-time
        filter on the count, so the plan not chosen is never run; the name plan reads a
        one-word text's given names by the name index (no loose scan first)."""
        count_from, count_params = self._orgs_from()
        by_orgs, orgs_params = self._by_orgs(limit, offset, after)
        by_name, name_params = self._by_name(limit, offset, after, streams=False)
        sql = (
            "WITH probe AS MATERIALIZED (SELECT COUNT(*) AS n FROM "  # noqa: S608
            f"(SELECT 1 FROM {count_from} LIMIT %s) c) "
            f"SELECT a.id FROM ({by_orgs}) a WHERE (SELECT n FROM probe) <= %s "
            f"UNION ALL SELECT b.id FROM ({by_name}) b WHERE (SELECT n FROM probe) > %s"
        )
        return sql, [*count_params, WIDE + 1, *orgs_params, WIDE, *name_params, WIDE]

    def explain(self, *, limit: int = 50, after: Range | None = None) -> list[str]:
        """The database's plan of the page's statement, one line per step."""
        sql, params = self.sql(limit=limit, after=after)
        with connection.cursor() as cursor:
            if self._lite:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                return [str(row[-1]) for row in cursor.fetchall()]
            cursor.execute("EXPLAIN " + sql, params)
            return [str(row[0]) for row in cursor.fetchall()]

    # --- conditions -----------------------------------------------------------------------

    def _filters(self) -> tuple[list[str], list[Any]]:
        """The conditions on the member row besides the text and the scope."""
        where: list[str] = []
        params: list[Any] = []
        if self.statuses:
            where.append(f"m.status IN ({', '.join(['%s'] * len(self.statuses))})")
            params += self.statuses
        if self.category:
            where.append("m.category = %s")
            params.append(self.category)
        if self.full is not None:
            where.append("m.is_full = %s")
            params.append(self.full)
        return where, params

    def _in_scope(self) -> tuple[str, list[Any]]:
        """The scope test of a row read by name: its org's path, unless no org is outside."""
        inside, params = _inside("o.path", self.ranges)
        # PostgreSQL: OFFSET 0 keeps the check a lookup per row read (by the org's key)
        # instead of a join the planner may prefer to the name index's order.
        fence = "" if self._lite else " OFFSET 0"
        check = f"EXISTS (SELECT 1 FROM {ORGS} o WHERE o.id = m.org_id AND {inside}{fence})"  # noqa: S608
        if not self.holds_a_top_org():  # the top org is outside: so are other orgs
            return check, params
        outside, before = _outside("g.path", self.ranges)
        return (
            f"(NOT EXISTS (SELECT 1 FROM {ORGS} g WHERE {outside}) OR {check})",  # noqa: S608
            before + params,
        )

    @staticmethod
    def _after(after: Range | None) -> tuple[list[str], list[Any]]:
        if after is None:
            return [], []
        return ["(m.name_folded, m.member_code) > (%s, %s)"], list(after)

    def _text(self) -> tuple[str, list[Any]]:
        """The text's terms as one condition (the ``orgs`` plan filters with it)."""
        t = self.terms
        if t is None:
            return "", []
        parts: list[str] = []
        params: list[Any] = []
        for column, rng in (("m.name_folded", t.name), ("m.given_folded", t.given)):
            if rng is not None:
                parts.append(f"({column} >= %s AND {column} < %s)")
                params += rng
        if t.codes:
            parts.append(f"m.member_code IN ({', '.join(['%s'] * len(t.codes))})")
            params += t.codes
        return "(" + " OR ".join(parts) + ")", params

    # --- the orgs plan ----------------------------------------------------------------------

    def _orgs_from(self, after: Range | None = None) -> tuple[str, list[Any]]:
        """FROM … WHERE … of the scope's orgs, each with its matching members.

        SQLite: ``CROSS JOIN`` keeps the orgs outside. PostgreSQL: the members of one org
        are a ``LATERAL`` subquery behind ``OFFSET 0`` (not flattened), so the planner cannot
        turn it into a hash join over the name indexes when the statistics are those of a
        small database: each org is one seek in ``member_org_state_idx``."""
        inside, params = _inside("o.path", self.ranges)
        where, more = self._filters()
        text, text_params = self._text()
        keyset, kparams = self._after(after)
        member_where = [*where, *([text] if text else []), *keyset]
        member_params = more + text_params + kparams
        if self._lite:
            from_ = (
                f"{ORGS} o CROSS JOIN {MEMBERS} m{_indexed(ORG_INDEX, self._lite)} ON m.org_id = o.id "
                f"WHERE {' AND '.join([inside, *member_where])}"
            )
            return from_, params + member_params
        member_sql = " AND ".join(["m.org_id = o.id", *member_where])
        from_ = (
            f"{ORGS} o CROSS JOIN LATERAL (SELECT m.id, m.name_folded, m.member_code "  # noqa: S608
            f"FROM {MEMBERS} m WHERE {member_sql} OFFSET 0) m WHERE {inside}"
        )
        return from_, member_params + params

    def _by_orgs(self, limit: int, offset: int, after: Range | None) -> tuple[str, list]:
        from_, params = self._orgs_from(after)
        sql = (
            f"SELECT m.id FROM {from_} "  # noqa: S608
            "ORDER BY m.name_folded, m.member_code LIMIT %s OFFSET %s"
        )
        return sql, [*params, limit, offset]

    def _count_by_orgs(self, cap: int) -> int:
        from_, params = self._orgs_from()
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {from_} LIMIT %s) n"  # noqa: S608
        return _q(sql, [*params, cap])[0][0]

    # --- the name plan ----------------------------------------------------------------------

    def _parts(
        self, after: Range | None, *, ordered: bool, streams: bool = True
    ) -> list[tuple[str, list]]:
        """(FROM … WHERE …, params) of each stream: name range, given names, codes."""
        filters, fparams = self._filters()
        scope, sparams = self._in_scope()
        keyset, kparams = self._after(after)
        common = [*filters, scope, *keyset]
        cparams = fparams + sparams + kparams
        t = self.terms
        parts: list[tuple[str, list]] = []
        if t is None:  # the plain list: the whole name index in order
            return [
                (
                    f"{MEMBERS} m{_indexed(NAME_INDEX, self._lite)} WHERE {' AND '.join(common)}",
                    cparams,
                )
            ]
        if t.name is not None:
            parts.append(
                (
                    f"{MEMBERS} m{_indexed(NAME_INDEX, self._lite)} WHERE m.name_folded >= %s "
                    f"AND m.name_folded < %s AND {' AND '.join(common)}",
                    [*t.name, *cparams],
                )
            )
        if t.given is not None:
            given = self._given_names(t.given) if ordered and streams else None
            if given is None and ordered:
                # Too many given names for a stream each: a short prefix of a common one
                # ("t", "h"), shared by a good part of the members. The name index in list
                # order, each row's given name checked, stops after the page: a few hundred
                # entries, where a UNION of one stream per given name ("t": 28) took 45-60 ms
                # at 400,000 on PostgreSQL. SQLite is told the index; PostgreSQL weighs it
                # against the given-name range sorted, by the range's statistics (a rare range
                # is sorted, as it should be).
                parts.append(
                    (
                        f"{MEMBERS} m{_indexed(NAME_INDEX, self._lite)} WHERE m.given_folded >= %s "
                        f"AND m.given_folded < %s AND {' AND '.join(common)}",
                        [*t.given, *cparams],
                    )
                )
            elif given is None:  # a count: one range, no order needed
                parts.append(
                    (
                        f"{MEMBERS} m{_indexed(GIVEN_INDEX, self._lite)} WHERE m.given_folded >= %s "
                        f"AND m.given_folded < %s AND {' AND '.join(common)}",
                        [*t.given, *cparams],
                    )
                )
            else:
                for value in given:  # each in name order straight from the index
                    parts.append(
                        (
                            f"{MEMBERS} m{_indexed(GIVEN_INDEX, self._lite)} WHERE m.given_folded = %s "
                            f"AND {' AND '.join(common)}",
                            [value, *cparams],
                        )
                    )
        if t.codes:
            marks = ", ".join(["%s"] * len(t.codes))
            parts.append(
                (
                    f"{MEMBERS} m WHERE m.member_code IN ({marks}) AND {' AND '.join(common)}",
                    [*t.codes, *cparams],
                )
            )
        return parts

    def _given_names(self, given: Range) -> list[str] | None:
        """The distinct given names in the range (a loose index scan), or None if too many."""
        sql = (
            "WITH RECURSIVE g(v) AS ("  # noqa: S608
            f"SELECT (SELECT MIN(given_folded) FROM {MEMBERS} WHERE given_folded >= %s "
            "AND given_folded < %s) "
            f"UNION ALL SELECT (SELECT MIN(given_folded) FROM {MEMBERS} WHERE given_folded > g.v "
            f"AND given_folded < %s) FROM g WHERE g.v IS NOT NULL) "
            "SELECT v FROM g WHERE v IS NOT NULL LIMIT %s"
        )
        values = [v for (v,) in _q(sql, [given[0], given[1], given[1], MAX_STREAMS + 1])]
        return values if len(values) <= MAX_STREAMS else None

    def _by_name(
        self, limit: int, offset: int, after: Range | None, *, streams: bool = True
    ) -> tuple[str, list]:
        parts = self._parts(after, ordered=True, streams=streams)
        if len(parts) == 1:
            body, params = parts[0]
            return (
                f"SELECT m.id FROM {body} ORDER BY m.name_folded, m.member_code "  # noqa: S608
                "LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
        selects, params = [], []
        for n, (body, more) in enumerate(parts):
            selects.append(
                f"SELECT * FROM (SELECT m.id, m.name_folded, m.member_code FROM {body} "  # noqa: S608
                f"ORDER BY m.name_folded, m.member_code LIMIT %s) p{n}"
            )
            params += [*more, offset + limit]
        sql = (
            f"SELECT u.id FROM ({' UNION '.join(selects)}) u "  # noqa: S608
            "ORDER BY u.name_folded, u.member_code LIMIT %s OFFSET %s"
        )
        return sql, [*params, limit, offset]

    def _count_by_name(self, cap: int) -> int:
        parts = self._parts(None, ordered=False)
        selects, params = [], []
        for n, (body, more) in enumerate(parts):
            selects.append(f"SELECT * FROM (SELECT m.id FROM {body} LIMIT %s) p{n}")  # noqa: S608
            params += [*more, cap]
        sql = f"SELECT COUNT(*) FROM ({' UNION '.join(selects)}) u"  # noqa: S608
        return min(_q(sql, params)[0][0], cap)
