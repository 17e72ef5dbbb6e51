"""Every API route declares its response, so that personal data leaves only through declared
fields (docs/api.md, "Conventions"): a JSON answer has a schema whose every object names its
fields (no bare ``dict``, at any depth), a file answer declares its content type as binary
(``chibo.apitools.file_response``). There is no list of exceptions: a new route without a
schema fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from ninja import NinjaAPI, Schema

from chibo.api import api
from chibo.apitools import file_response
from chibo.core.web import DOCX_TYPE, XLSX_TYPE

pytestmark = pytest.mark.database_free

FILE_TYPES = {DOCX_TYPE, XLSX_TYPE}

# Fields that carry a stored JSON document as it is, each for a reason (a field, never a
# route; the list only shrinks). Everything else names its fields.
FREE_FORM = {
    # the event's kind-specific fields (members/lifecycle/kinds.py declares them per kind)
    "EventOut.data",
    # what the admission step recorded (its form's fields, per stage)
    "PathStepOut.data",
    # the figures a unit reported / the compiled report's, keyed by the directive's rows
    "ReportOut.figures",
    "CompiledOut.figures",
}


def _free_objects(
    schema: Any, components: dict[str, Any], seen: set[str], owner: str = ""
) -> list[str]:
    """Paths inside ``schema`` where an object takes any keys with any values."""
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return [f"{name}.{p}" for p in _free_objects(components[name], components, seen, name)]
    found = []
    if schema.get("type") == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        if extra is True or (not schema.get("properties") and not isinstance(extra, dict)):
            found.append("(any keys)")
    for key, sub in schema.get("properties", {}).items():
        if f"{owner}.{key}" not in FREE_FORM:
            found += [f"{key}.{p}" for p in _free_objects(sub, components, seen)]
    for key in ("items", "additionalProperties"):
        found += [f"{key}.{p}" for p in _free_objects(schema.get(key), components, seen)]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _free_objects(sub, components, seen)
    return found


def undeclared(schema: dict[str, Any]) -> dict[str, str]:
    """``{"METHOD /path": why}`` for each operation whose success answer is not declared."""
    components = schema.get("components", {}).get("schemas", {})
    out = {}
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            name = f"{method.upper()} {path}"
            ok = [r for code, r in op["responses"].items() if str(code).startswith("2")]
            contents = [c for r in ok for c in r.get("content", {}).items()]
            if not contents:
                out[name] = "no response schema"
            for media, content in contents:
                body = content.get("schema")
                if media == "application/json":
                    free = _free_objects(body, components, set()) if body else ["(none)"]
                    if free:
                        out[name] = f"undeclared fields at {', '.join(free)}"
                elif media not in FILE_TYPES or body != {"type": "string", "format": "binary"}:
                    out[name] = f"{media}: not a declared file type"
    return out


def test_every_route_declares_its_response() -> None:
    schema = api.get_openapi_schema()
    assert undeclared(schema) == {}
    components = schema["components"]["schemas"]
    stale = {
        f
        for f in FREE_FORM
        if f.split(".")[1] not in components.get(f.split(".")[0], {}).get("properties", {})
    }
    assert stale == set(), "gone or renamed: remove them from FREE_FORM"


class _Named(Schema):
    code: str


def test_the_check_catches_a_route_without_a_schema_or_with_a_bare_dict() -> None:
    probe = NinjaAPI(urls_namespace="schema-coverage-probe")

    @probe.get("/none")
    def none(request: Any) -> dict[str, Any]:
        return {}

    @probe.post("/bare", response={201: dict})
    def bare(request: Any) -> dict[str, Any]:
        return {}

    @probe.get("/nested", response=list[dict[str, Any]])
    def nested(request: Any) -> list[dict[str, Any]]:
        return []

    @probe.get("/named", response=list[_Named])
    def named(request: Any) -> list[dict[str, Any]]:
        return []

    @probe.get("/mapped", response=dict[str, int])
    def mapped(request: Any) -> dict[str, int]:
        return {}

    @probe.get("/docx", openapi_extra=file_response(DOCX_TYPE))
    def docx(request: Any) -> None:
        return None

    @probe.get("/pdf", openapi_extra=file_response("application/pdf"))
    def pdf(request: Any) -> None:
        return None

    assert set(undeclared(probe.get_openapi_schema(path_prefix="/api/"))) == {
        "GET /api/none",
        "POST /api/bare",
        "GET /api/nested",
        "GET /api/pdf",
    }
