"""Helpers shared by the directive pages: file downloads."""

from __future__ import annotations

from django.http import HttpResponse


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
