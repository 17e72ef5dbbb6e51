"""The top menu and the start page's other links: each role sees only what it can use.

Every entry names the capability its page needs (a link never answers 403) and
the roles for which it is a main task (in the top menu). The other entries a
user may open are listed on the start page ("Các trang khác"), so everything
is reachable from there. A user with several roles gets the union.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chibo.core.roles import Cap, Role
from chibo.core.scoping import has_cap, roles_in_force

ALL_ROLES = frozenset(Role.values)
COMMITTEE = frozenset({Role.GRASSROOTS_STAFF, Role.SUPERIOR_STAFF})


@dataclass(frozen=True)
class Entry:
    key: str
    label: Any
    url_name: str
    cap: str | None  # None: every signed-in user
    main_for: frozenset[str]  # roles for which it is in the top menu
    namespace: str = ""  # the current page is in this entry when its namespace matches
    url_names: tuple[str, ...] = ()  # ... or its url name is one of these (with namespace)
    hint: Any = ""


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "members",
        _("Members"),
        "members:list",
        Cap.MEMBER_VIEW,
        ALL_ROLES,
        url_names=("members:list", "members:detail", "members:edit", "members:event"),
        hint=_("Records, events, search by name without diacritics"),
    ),
    Entry(
        "activity",
        _("Activity"),
        "activity:overview",
        Cap.MEMBER_VIEW,
        ALL_ROLES,
        namespace="activity",
        hint=_("Meetings and attendance, dues, warnings, transfers"),
    ),
    Entry(
        "admissions",
        _("Admissions"),
        "admissions:board",
        Cap.MEMBER_VIEW,
        frozenset({Role.CELL_SECRETARY, *COMMITTEE, Role.CITY_OFFICE}),
        namespace="admissions",
        hint=_("Outstanding candidates and their steps"),
    ),
    Entry(
        "oversight",
        _("Inspection and supervision"),
        "oversight:index",
        Cap.MEMBER_VIEW,
        COMMITTEE,
        namespace="oversight",
        hint=_("Inspections, discipline, annual evaluations"),
    ),
    Entry(
        "training",
        _("Training"),
        "training:index",
        Cap.MEMBER_VIEW,
        COMMITTEE,
        namespace="training",
        hint=_("Courses, enrolments, certificates"),
    ),
    Entry(
        "reports",
        _("Statistics"),
        "reports:dashboard",
        Cap.MEMBER_VIEW,
        frozenset({*COMMITTEE, Role.CITY_OFFICE, Role.VIEWER}),
        namespace="reports",
        hint=_("Dashboard and reports, exports"),
    ),
    Entry(
        "directives",
        _("Directives"),
        "directives:register",
        Cap.DIRECTIVE_VIEW,
        frozenset({*COMMITTEE, Role.CITY_OFFICE, Role.VIEWER}),
        namespace="directives",
        hint=_("Document register, tasks and progress reports"),
    ),
    Entry(
        "interchange",
        _("Import/export"),
        "interchange:index",
        Cap.MEMBER_VIEW,
        COMMITTEE,
        namespace="interchange",
        hint=_("Import rosters from spreadsheets, export lists"),
    ),
    Entry(
        "orgs",
        _("Organizations"),
        "orgs:tree",
        Cap.ORG_VIEW,
        frozenset({Role.SYSADMIN}),
        namespace="orgs",
        hint=_("The party organization tree"),
    ),
    Entry(
        "incoming",
        _("Incoming transfers"),
        "members:incoming",
        Cap.MEMBER_CHANGE,
        frozenset(),
        url_names=("members:incoming", "members:receive"),
        hint=_("Members transferred to your cells, to receive"),
    ),
    Entry(
        "roles",
        _("Roles"),
        "accounts:roles",
        Cap.ACCOUNTS_MANAGE,
        frozenset({Role.SYSADMIN}),
        url_names=("accounts:roles",),
        hint=_("Accounts and role assignments"),
    ),
    Entry(
        "party_badges",
        _("Huy hiệu Đảng"),
        "members:party_badges",
        Cap.MEMBER_VIEW,
        frozenset(),
        url_names=("members:party_badges",),
        hint=_("Members reaching 30, 40, 45, 50 … years of party seniority this year"),
    ),
    Entry(
        "calendar",
        _("Working-day calendar"),
        "core:calendar",
        None,
        frozenset({Role.CITY_OFFICE}),
        url_names=("core:calendar",),
        hint=_("Holidays and the government's make-up working days"),
    ),
    Entry(
        "tokens",
        _("API tokens"),
        "accounts:tokens",
        None,
        frozenset(),
        url_names=("accounts:tokens",),
        hint=_("Keys for scripts using the API"),
    ),
    Entry(
        "2fa",
        _("Two-step login"),
        "accounts:2fa_manage",
        None,
        frozenset(),
        url_names=("accounts:2fa_manage",),
        hint=_("Authenticator app and recovery codes"),
    ),
)


@dataclass(frozen=True)
class Link:
    key: str
    label: Any
    url: str
    current: bool
    hint: Any


def _current(entry: Entry, namespace: str, name: str) -> bool:
    if entry.namespace and namespace == entry.namespace:
        return True
    return f"{namespace}:{name}" in entry.url_names


def menu_for(user: Any, namespace: str = "", url_name: str = "") -> tuple[list[Link], list[Link]]:
    """(top menu, other pages) for ``user``: only entries whose page the user's roles open."""
    roles = roles_in_force(user)
    if user.is_superuser:
        roles.add(Role.SYSADMIN)
    main: list[Link] = []
    other: list[Link] = []
    for entry in ENTRIES:
        if entry.cap is not None and not has_cap(user, entry.cap):
            continue
        link = Link(
            entry.key,
            entry.label,
            reverse(entry.url_name),
            _current(entry, namespace, url_name),
            entry.hint,
        )
        (main if roles & entry.main_for else other).append(link)
    return main, other
