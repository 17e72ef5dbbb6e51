"""Helpers shared by the apps' API routers: keyset pages with opaque cursors, body
references to orgs, clean text input and translated validation messages.

Kept apart from ``chibo.api`` (which imports every router) so a router can
import these without an import cycle.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Status

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.orgs.selectors import orgs_for

MAX_LIMIT = 200
T = TypeVar("T")
DEFAULT_LIMIT = 50


def encode_cursor(values: list[str]) -> str:
    """An opaque cursor for keyset pagination (the sort key of the last row)."""
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int, field: str = "cursor") -> list[str]:
    """The sort key inside ``cursor``; a 422 naming ``field`` if it was not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str) for v in values)
    ):
        raise ValidationError({field: [_("This cursor is not valid; start again without it.")]})
    for value in values:
        check_text(value, field)
    return values


def keyset_page(
    qs: QuerySet[Any],
    order: Sequence[str],
    limit: int,
    cursor: str = "",
    field: str = "cursor",
    keep: Callable[[Any], bool] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of ``qs`` in ``order`` after the row ``cursor`` names, and the next page's
    cursor (None on the last page): the one pagination of the API (docs/api.md, "Pagination").

    ``order`` lists fields (``-`` for descending; annotations allowed), none null, the last one
    unique (the id): a page costs the same wherever it is, and rows added meanwhile never
    shift the pages (none skipped or repeated). A cursor that is not one of ours is a 422.

    ``keep``: a test no query can say (a state computed from dated rules): the rows are read
    on in the same order, a batch at a time, until the page is full or the list ends, so a
    page is never short and nothing is cut.
    """
    names = [o.lstrip("-") for o in order]
    after = decode_cursor(cursor, len(order), field) if cursor else None
    batch = limit + 1 if keep is None else max(limit + 1, 200)
    rows: list[Any] = []
    while True:
        read = list(_after(qs, order, after, field).order_by(*order)[:batch])
        rows += read if keep is None else [row for row in read if keep(row)]
        if len(rows) > limit or len(read) < batch:
            break
        after = [_sort_value(read[-1], name) for name in names]
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor([_sort_value(rows[-1], name) for name in names])


def _after(
    qs: QuerySet[Any], order: Sequence[str], after: list[str] | None, field: str
) -> QuerySet[Any]:
    """The rows of ``qs`` past the sort key ``after`` in ``order`` (all of them if None)."""
    if after is None:
        return qs
    names = [o.lstrip("-") for o in order]
    past = Q()
    for i, (key, name) in enumerate(zip(order, names, strict=True)):
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": after[i]})
        for before, value in zip(names[:i], after[:i], strict=True):
            step &= Q(**{before: value})
        past |= step
    try:
        return qs.filter(past)
    except (ValueError, TypeError, ValidationError) as exc:
        raise ValidationError(
            {field: [_("This cursor is not valid; start again without it.")]}
        ) from exc


def list_page(
    items: Sequence[T],
    key: Callable[[T], list[str]],
    size: int,
    limit: int,
    cursor: str = "",
    field: str = "cursor",
) -> tuple[list[T], str | None]:
    """One page of a list computed in Python (warnings, tracking …), with the contract of
    ``keyset_page``: ``key`` gives each item's sort key as ``size`` strings that sort as the
    list should (ISO dates, zero-padded numbers, codes), the last one unique. The items are put
    in that order; the page is the ``limit`` items after the key in ``cursor`` (found by
    bisection, so an item gone meanwhile shifts nothing) and the next cursor is the page's last
    key (None on the last page). A cursor that is not one of ours is a 422 on ``field``.
    """
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    start = 0
    if cursor:
        after = decode_cursor(cursor, size, field)
        start = bisect.bisect_right([k for k, _item in keyed], after)
    chunk = keyed[start : start + limit + 1]
    if len(chunk) <= limit:
        return [item for _k, item in chunk], None
    chunk = chunk[:limit]
    return [item for _k, item in chunk], encode_cursor(chunk[-1][0])


def _sort_value(row: Any, name: str) -> str:
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def check_text(value: str, field: str) -> str:
    """Refuse text no database stores (NUL, lone surrogates) with a 422 naming ``field``."""
    if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValidationError({field: [_("The text contains characters that are not allowed.")]})
    return value


def require_cap(user: Any, cap: str) -> None:
    """403 unless the user's roles grant ``cap`` somewhere (read-only roles get this on writes)."""
    if not has_cap(user, cap):
        raise PermissionDenied(_("Your role does not allow this."))


def not_empty(field: str) -> ValidationError:
    return ValidationError({field: [_("This field cannot be empty.")]})


def sensitive_forbidden() -> PermissionDenied:
    return PermissionDenied(_("Your role may not change the citizen ID or phone."))


def path_code(code: str) -> str:
    """A code from the URL path: text no row can hold is simply not found (404)."""
    from django.http import Http404

    if "\x00" in code or any(0xD800 <= ord(ch) <= 0xDFFF for ch in code) or len(code) > 64:
        raise Http404(_("Not found."))
    return code


def org_ref(actor: Any, code: str, field: str, cap: str = Cap.ORG_VIEW) -> Any:
    """An org named by code in a request body or query, within the actor's scope.

    Unknown or out of scope → a 422 naming ``field`` (the path's object is
    what answers 404); the service then checks the right to change it.
    """
    check_text(code, field)
    org = orgs_for(actor, cap).filter(code=code.strip()).first()
    if org is None:
        raise ValidationError(
            {field: [_("No organization with code %(code)s in your scope.") % {"code": code}]}
        )
    return org


def org_by_exact_code(code: str, field: str) -> Any:
    """A destination or host cell that may lie outside the actor's scope (looked up by exact code)."""
    from chibo.orgs.models import Org

    check_text(code, field)
    org = Org.objects.filter(code=code.strip()).first()
    if org is None:
        raise ValidationError(
            {field: [_("No organization has the code %(code)s.") % {"code": code}]}
        )
    return org


def _date_message(value: Any) -> str:
    """``2024-02-31`` is written right but does not exist: say so (core.datefields)."""
    from chibo.core.datefields import no_such_date_message
    from chibo.lib.dates import NoSuchDate, parse_day

    if isinstance(value, str):
        try:
            parse_day(value)
        except NoSuchDate as exc:
            return no_such_date_message(exc)
        except ValueError:
            pass
    return _("Enter a date as YYYY-MM-DD.")


def validation_message(err: dict[str, Any]) -> str:
    """A pydantic error as a sentence in the request's language."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long", "too_long"}:
        return _("Too long: at most %(n)s characters.") % {"n": ctx.get("max_length", "?")}
    if kind in {"string_too_short", "too_short"}:
        return _("Too short: at least %(n)s characters.") % {"n": ctx.get("min_length", "?")}
    if kind.startswith("int_") or kind == "int_type":
        return _("Enter a whole number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _date_message(err.get("input"))
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", "?"))}
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body must be a JSON object.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    return _("This value is not valid.")


def created(body: Any) -> Status:
    """The one way a route answers 201 Created (declare ``response={201: Schema}``)."""
    return Status(201, body)


def file_response(*content_types: str) -> dict[str, Any]:
    """``openapi_extra`` of a route that answers a file (DOCX, XLSX): its 200 declares the
    content types, as binary; no JSON, so no personal data outside the document itself."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {"description": "The file", "content": dict.fromkeys(content_types, binary)}
        }
    }
