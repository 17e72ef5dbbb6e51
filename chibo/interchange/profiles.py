"""Mapping profiles: a confirmed mapping saved by name in an org, and the two chibo ships.

A profile is a ``mapping.Mapping`` (JSON, docs/import.md) with a name. Saved
profiles live in an org (``ImportProfile``) and are visible to users whose
scope holds that org, or lies under it (a city's profiles reach its schools).
Shipped profiles are the JSON files of ``interchange/profiles/`` (read-only).
A profile is offered for a file when it names every column of the file's
header (``offer``). Names are matched without case, diacritics, spaces or
hyphens (``Danh sách đảng viên của trường`` = ``danh-sach-dang-vien-cua-truong``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.interchange import columns as C
from chibo.interchange.columns import header_key as header_key_of
from chibo.interchange.mapping import Mapping, MappingError
from chibo.interchange.models import ImportProfile

SHIPPED_DIR = Path(__file__).resolve().parent / "profiles"
WRITE_CAP = {
    C.ORGS: Cap.ORG_RESTRUCTURE,
    C.MEMBERS: Cap.MEMBER_CHANGE,
    C.ATTENDANCE: Cap.MEMBER_CHANGE,
    C.DUES: Cap.MEMBER_CHANGE,
}


@dataclass
class Profile:
    name: str
    kind: str
    mapping: Mapping
    org_code: str = ""  # "" = shipped with chibo
    org_name: str = ""
    description: str = ""
    pk: int | None = None

    @property
    def shipped(self) -> bool:
        return not self.org_code

    def as_json(self) -> dict[str, Any]:
        data = self.mapping.as_json()
        out: dict[str, Any] = {"format": data.pop("format"), "name": self.name}
        if self.description:
            out["description"] = self.description
        out.update(data)
        return out


def name_key(name: str) -> str:
    return header_key_of(name)


@cache
def _shipped_raw() -> tuple[tuple[str, str], ...]:
    return tuple(
        (path.name, path.read_text(encoding="utf-8")) for path in sorted(SHIPPED_DIR.glob("*.json"))
    )


def shipped() -> list[Profile]:
    """The profiles chibo ships (``interchange/profiles/*.json``)."""
    out = []
    for _file, text in _shipped_raw():
        data = json.loads(text)
        out.append(
            Profile(
                name=data["name"],
                kind=data["kind"],
                mapping=Mapping.from_json(data),
                description=data.get("description", ""),
            )
        )
    return out


def _from_row(row: ImportProfile) -> Profile:
    return Profile(
        name=row.name,
        kind=row.kind,
        mapping=Mapping.from_json(row.mapping, row.kind),
        org_code=row.org.code,
        org_name=row.org.name,
        description=str(row.mapping.get("description", "")),
        pk=row.pk,
    )


def _visible_rows(actor: Any, kind: str | None) -> list[ImportProfile]:
    rows = ImportProfile.objects.select_related("org").order_by("name", "org__path")
    if kind:
        rows = rows.filter(kind=kind)
    if actor is None:
        return list(rows)
    scope = scope_for(actor, Cap.ORG_VIEW)
    roots = [path for path, _bound in scope.ranges]
    return [
        row
        for row in rows
        if scope.covers_path(row.org.path) or any(root.startswith(row.org.path) for root in roots)
    ]


def visible(actor: Any, kind: str | None = None) -> list[Profile]:
    """The org profiles the actor may use (its subtree and the orgs above it), then the shipped ones."""
    out = [_from_row(row) for row in _visible_rows(actor, kind)]
    out.extend(p for p in shipped() if kind is None or p.kind == kind)
    return out


def find(actor: Any, name: str, kind: str | None = None, org_code: str = "") -> Profile:
    """A profile by name (and org code when several orgs use the name); ``MappingError`` if none or several."""
    wanted = name_key(name)
    found = [
        p
        for p in visible(actor, kind)
        if name_key(p.name) == wanted and (not org_code or p.org_code == org_code)
    ]
    own = [p for p in found if not p.shipped]
    if len(own) > 1:
        raise MappingError(
            _("Several organizations have a profile named «%(name)s»: %(orgs)s. Say which (--org).")
            % {"name": name, "orgs": ", ".join(p.org_code for p in own)}
        )
    if not found:
        raise MappingError(
            _("No mapping profile is named «%(name)s». The profiles: %(names)s.")
            % {"name": name, "names": ", ".join(sorted({p.name for p in visible(actor, kind)}))}
        )
    return (own or found)[0]


def offer(actor: Any, kind: str, headers: list[str]) -> Profile | None:
    """The first profile that names every column of this header (the org's before the shipped)."""
    wanted = {header_key_of(h) for h in headers if header_key_of(h)}
    if not wanted:
        return None
    for profile in visible(actor, kind):
        named = {header_key_of(h) for h in profile.mapping.columns}
        if wanted <= named:
            return profile
    return None


def home_org(actor: Any, kind: str) -> Any:
    """Where a user's profiles are saved: the top org of its write scope for the kind."""
    from chibo.orgs.models import Org

    scope = scope_for(actor, WRITE_CAP[kind])
    paths = [path for path, _bound in scope.ranges]
    return Org.objects.filter(path__in=paths).order_by("path").first()


def save(
    *,
    actor: Any,
    org: Any,
    name: str,
    mapping: Mapping,
    description: str = "",
    replace: bool = True,
) -> ImportProfile:
    """Save (or replace) a profile in ``org``; the actor needs the kind's write right there."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError({"name": _("Give the profile a name.")})
    if actor is not None and not scope_for(actor, WRITE_CAP[mapping.kind]).covers(org):
        raise PermissionDenied(_("You may not save mapping profiles in this organization."))
    data = mapping.as_json()
    if description:
        data["description"] = description
    with transaction.atomic():
        existing = ImportProfile.objects.filter(org=org, kind=mapping.kind, name=name).first()
        if existing is not None and not replace:
            raise ValidationError(
                {"name": _("This organization already has a profile with this name.")}
            )
        if existing is None:
            row = ImportProfile.objects.create(
                org=org, kind=mapping.kind, name=name, mapping=data, created_by=actor
            )
        else:
            existing.mapping = data
            existing.save(update_fields=["mapping", "updated_at"])
            row = existing
        audit.record(
            actor=actor,
            action="interchange.profile_save",
            object_type="import_profile",
            object_id=row.pk,
            data={"org": org.code, "kind": mapping.kind, "name": name},
        )
    return row


def load_json(text: str) -> tuple[str, str, Mapping]:
    """(name, description, mapping) from an exported profile; ``MappingError`` when unusable."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MappingError(
            _("The mapping file is not valid JSON: %(error)s") % {"error": exc}
        ) from exc
    mapping = Mapping.from_json(data)
    return str(data.get("name") or ""), str(data.get("description") or ""), mapping
