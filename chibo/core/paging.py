"""Pagination of long lists whose exact count would cost more than the page.

``CappedPaginator`` counts at most ``cap`` + 1 rows. Any app's list may use it;
the member list (``members.selectors.member_page``) does.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Protocol, runtime_checkable

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet


@runtime_checkable
class CountsUpTo(Protocol):
    """A list that can count its rows up to a limit itself (e.g. ``members.search.MemberSearch``)."""

    def count_upto(self, cap: int) -> int: ...

    def __getitem__(self, item: slice) -> Any: ...


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator that counts at most ``cap`` + 1 rows (a LIMITed subquery).

    An exact COUNT of a city-wide list reads every member of the city (0.2 s
    at 400,000, seconds at 5.5 million: docs/performance.md); nobody pages
    through ten thousand names. Up to ``cap`` the count is exact; beyond it
    ``capped`` is true, the page shows "more than 10.000", and the pages go on
    as long as there are rows (``has_next`` from one row more than a page).
    """

    def __init__(self, object_list: QuerySet[Any] | CountsUpTo, per_page: int, cap: int) -> None:
        super().__init__(object_list, per_page)  # type: ignore[arg-type]
        self.cap = cap

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list
        if isinstance(rows, CountsUpTo) and not isinstance(rows, QuerySet):
            return rows.count_upto(self.cap + 1)
        rows = rows.select_related(None).order_by()  # no join to orgs for a count
        return int(rows[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return 10**9  # unknown: a page exists while it has rows
        return super().num_pages

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return _CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page:  # type: ignore[type-arg]
        if not self.capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)


class _CappedPage(Page):  # type: ignore[type-arg]
    def __init__(
        self, rows: list[Any], number: int, paginator: CappedPaginator, *, more: bool
    ) -> None:
        super().__init__(rows, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1
