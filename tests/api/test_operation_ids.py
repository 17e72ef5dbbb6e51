"""OpenAPI operation ids are the clients' contract (generated clients name their methods by
them): they name the app's API and the route's function, not the file inside an API package
that declares it (issue 18 splits `activity/api.py` into `activity/api/`)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from chibo.activity.api import transfers_list
from chibo.api import api

pytestmark = pytest.mark.database_free

# Routes that set their own id: the member event routes, one per lifecycle kind.
DECLARED = re.compile(r"member_event_\w+")


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [
        (op["operationId"], f"{method.upper()} {path}")
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]


def test_operation_ids_name_the_app_api_and_the_function() -> None:
    ids = [op_id for op_id, _ in _operations()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    shape = re.compile(r"chibo_(\w+?_)?api_\w+")
    assert [i for i in ids if not shape.fullmatch(i) and not DECLARED.fullmatch(i)] == []
    # Not the module inside the package: activity/api/transfer_lists.py declares this one.
    assert transfers_list.__module__ == "chibo.activity.api.transfer_lists"
    assert "chibo_activity_api_transfers_list" in ids
