"""What the load test's writes send, and how their answers are read (bench/locustfile.py).

Kept apart from locust (no gevent import) so that the test suite posts the very same
data through the real forms (tests/scale/test_load_forms.py): a form that gains a
required field breaks the test, not the next measured run.

Each ``*_data`` function gives the fields a person types into a form; the page's hidden
fields (``csrfmiddlewaretoken``, ``version``) come from ``hidden(page)``; ``refused(...)``
says whether the answer is a saved write (None) or why not.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

_HIDDEN = re.compile(r'<input[^>]*name="(csrfmiddlewaretoken|version)"[^>]*value="([^"]*)"')
_HIDDEN_REV = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrfmiddlewaretoken|version)"')
_FIELD_ERROR = re.compile(
    r'<(\w+)[^>]*class="[^"]*(?:errorlist|field-error)[^"]*"[^>]*>(.*?)</\1>', re.S
)
_FORM_ERROR = re.compile(r'<div[^>]*class="[^"]*form-errors[^"]*"[^>]*>(.*?)</div>', re.S)
_TAG = re.compile(r"<[^>]+>")


def hidden(page: str) -> list[tuple[str, str]]:
    """The hidden ``csrfmiddlewaretoken`` and ``version`` fields of a form page."""
    pairs = [(n, v) for n, v in _HIDDEN.findall(page)]
    pairs += [(n, v) for v, n in _HIDDEN_REV.findall(page)]
    return pairs


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", html)).strip()


def errors(page: str) -> str:
    """The errors a form page shows: every field's message, else the form's own ("" if none)."""
    fields = [_text(m.group(2)) for m in _FIELD_ERROR.finditer(page)]
    found = "; ".join(t for t in fields if t)
    if not found:
        found = "; ".join(t for t in (_text(m) for m in _FORM_ERROR.findall(page)) if t)
    return found[:300]


def refused(status: int, text: str, location: str, *, htmx: bool) -> str | None:
    """None when a write was saved (a redirect; for htmx, the row without an error), else why."""
    if status == 302 and not htmx:
        return None
    if status == 200 and htmx and not errors(text):
        return None
    why = errors(text) if status in (200, 409, 422) else ""
    return f"{status} {why or location}".strip()


def _today() -> str:
    return dt.date.today().strftime("%d/%m/%Y")


def attendance_data(code: str, status: str) -> dict[str, Any]:
    """One row of the meeting sheet, as its htmx form sends it."""
    return {f"status-{code}": status, f"note-{code}": ""}


def dues_data(code: str, month: str, amount: int) -> dict[str, Any]:
    """The dues form: one month paid in cash today."""
    return {
        "member": code,
        "first": month,
        "last": "",
        "amount_vnd": amount,
        "paid_on": _today(),
        "method": "cash",
        "reference": "",
        "confirm": "on",
    }


def event_data(kind: str) -> dict[str, Any]:
    """A member exempted from activity (criterion and reason), or back (the application's date)."""
    data: dict[str, Any] = {
        "effective_date": _today(),
        "decision_number": "12-QĐ/ĐU",
        "issuing_body": "",
        "note": "",
    }
    if kind == "exempted":
        data.update(criterion="illness", note="Ốm dài ngày (load test)")
    else:
        data["application_on"] = _today()
    return data


def candidate_data(org: str, mentor: str) -> dict[str, Any]:
    """A new candidate registered by the cell, with its mentor."""
    return {
        "org": org,
        "full_name": f"Nguyễn Văn Tải {random.randrange(10**6)}",
        "date_of_birth": "17/05/2004",
        "gender": "male",
        "category": "student",
        "mentor": mentor,
        "registered_on": _today(),
        "youth_union_exists": "on",
        "confirm": "on",
    }


def course_data() -> dict[str, Any]:
    """The awareness-course step: the certificate's date, number and issuer."""
    return {
        "done_on": _today(),
        "document_number": f"CN-{random.randrange(10**6)}",
        "cert_issuer": "Trung tâm Chính trị quận 1",
        "note": "",
    }


def directive_data() -> dict[str, Any]:
    """A directive report saved as a draft."""
    return {
        "text": f"Đã triển khai tới các chi bộ ({dt.datetime.now():%H:%M:%S}).",
        "figures": "",
    }
