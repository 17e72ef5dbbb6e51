"""Changes of the tree's shape: create an organization, move a subtree, merge two, close one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.lib.text import fold
from chibo.orgs import letterhead
from chibo.orgs.hooks import hooks
from chibo.orgs.models import (
    CELL_KINDS,
    Org,
    OrgEvent,
    OrgKind,
    encode_step,
)
from chibo.orgs.services.checks import (
    _check_date,
    _check_not_before_history,
    _check_open,
    _check_parent,
    _close_period,
    _open_period,
)


def org_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: Org | None,
    opened_on: dt.date,
    school_level: str = "",
    ownership: str = "",
    decision_number: str = "",
    abbreviation: str = "",
) -> Org:
    code = code.strip()
    name = " ".join(name.split())
    abbreviation = (
        letterhead.clean_abbreviation(abbreviation)
        if abbreviation.strip()
        else letterhead.default_abbreviation(name, kind)
    )
    if parent is not None:
        require_cap_on(actor, parent, Cap.ORG_RESTRUCTURE)
    elif actor is not None:
        # Only set-up (no actor: commands, imports under a system account) creates a root.
        raise ValidationError(
            {"parent": [_("Only the system set-up can create the root organization.")]}
        )
    _check_parent(kind, parent)
    _check_date(opened_on, "opened_on")
    if Org.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("The code %(code)s is already used.") % {"code": code}]})
    org = Org(
        code=code,
        name=name,
        name_folded=fold(name),
        kind=kind,
        parent=parent,
        path=uuid.uuid4().hex,  # placeholder until the id is known
        depth=(parent.depth + 1) if parent else 0,
        school_level=school_level,
        ownership=ownership,
        opened_on=opened_on,
        abbreviation=abbreviation,
    )
    org.full_clean(exclude=["path", "name_folded", "depth"])
    with transaction.atomic():
        org.save()
        org.path = (parent.path if parent else "") + encode_step(org.pk)
        Org.objects.filter(pk=org.pk).update(path=org.path)
        _open_period(org, opened_on)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.CREATED,
            effective_date=opened_on,
            decision_number=decision_number,
            actor=user_or_none(actor),
            data={"parent": parent.code if parent else None},
        )
        audit.record(
            actor=actor,
            action="orgs.create",
            object_type="org",
            object_id=org.code,
            data={"name": name, "kind": kind, "parent": parent.code if parent else None},
        )
    return org


def org_move(
    *,
    actor: Any,
    org: Org,
    new_parent: Org,
    effective_date: dt.date,
    decision_number: str = "",
    note: str = "",
) -> Org:
    """Move ``org`` and its whole subtree under ``new_parent`` (e.g. district → ward, 1/7/2025)."""
    require_cap_on(actor, org, Cap.ORG_RESTRUCTURE)
    require_cap_on(actor, new_parent, Cap.ORG_RESTRUCTURE)
    if org.parent_id is None:
        raise ValidationError(_("The root organization cannot be moved."))
    require_cap_on(actor, org.parent, Cap.ORG_RESTRUCTURE)
    _check_open(org)
    _check_date(effective_date)
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            {"new_parent": [_("An organization cannot be moved under itself or its own subtree.")]}
        )
    if new_parent.pk == org.parent_id:
        raise ValidationError(
            {
                "new_parent": [
                    _("The organization is already under %(org)s.") % {"org": new_parent.name}
                ]
            }
        )
    _check_parent(org.kind, new_parent)
    _check_not_before_history(org, effective_date)
    old_parent = org.parent
    assert old_parent is not None  # the root was refused above
    old_path = org.path
    new_path = new_parent.path + encode_step(org.pk)
    depth_shift = new_parent.depth + 1 - org.depth
    with transaction.atomic():
        # Rewrite the prefix of every path in the subtree in one statement.
        Org.objects.filter(path__gte=old_path, path__lt=org.path_bound).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1, Length(F("path")))),
            depth=F("depth") + depth_shift,
        )
        Org.objects.filter(pk=org.pk).update(parent=new_parent)
        org.refresh_from_db()
        _close_period(org, effective_date)
        _open_period(org, effective_date)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.MOVED,
            effective_date=effective_date,
            decision_number=decision_number,
            actor=user_or_none(actor),
            note=note,
            data={"from": old_parent.code, "to": new_parent.code},
        )
        audit.record(
            actor=actor,
            action="orgs.move",
            object_type="org",
            object_id=org.code,
            data={
                "from": old_parent.code,
                "to": new_parent.code,
                "effective_date": effective_date,
                "decision_number": decision_number,
            },
        )
    return org


def org_merge(
    *,
    actor: Any,
    source: Org,
    target: Org,
    effective_date: dt.date,
    decision_number: str = "",
    note: str = "",
) -> Org:
    """Merge ``source`` into ``target``: its members and child orgs move to ``target``, ``source`` closes."""
    require_cap_on(actor, source, Cap.ORG_RESTRUCTURE)
    require_cap_on(actor, target, Cap.ORG_RESTRUCTURE)
    _check_open(source)
    _check_open(target)
    _check_date(effective_date)
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(
            {"target": [_("An organization cannot be merged into itself or its own subtree.")]}
        )
    if source.kind != target.kind and not (source.kind in CELL_KINDS and target.kind in CELL_KINDS):
        raise ValidationError(
            {
                "target": [
                    _("Only organizations of the same level can be merged (%(a)s → %(b)s).")
                    % {"a": OrgKind(source.kind).label, "b": OrgKind(target.kind).label}
                ]
            }
        )
    _check_not_before_history(source, effective_date)
    children = list(source.children.filter(closed_on__isnull=True))
    with transaction.atomic():
        # Members move first (members.services.members_reassign, registered in orgs.hooks).
        moved_members = sum(
            step(
                actor=actor,
                source=source,
                target=target,
                effective_date=effective_date,
                decision_number=decision_number,
            )
            for step in hooks.merge_steps
        )
        for child in children:
            org_move(
                actor=actor,
                org=child,
                new_parent=target,
                effective_date=effective_date,
                decision_number=decision_number,
                note=_("Merged with its superior"),
            )
        Org.objects.filter(pk=source.pk).update(closed_on=effective_date, merged_into=target)
        source.refresh_from_db()
        _close_period(source, effective_date)
        OrgEvent.objects.create(
            org=source,
            kind=OrgEvent.Kind.MERGED,
            effective_date=effective_date,
            decision_number=decision_number,
            actor=user_or_none(actor),
            note=note,
            data={
                "into": target.code,
                "members": moved_members,
                "children": [c.code for c in children],
            },
        )
        audit.record(
            actor=actor,
            action="orgs.merge",
            object_type="org",
            object_id=source.code,
            data={
                "into": target.code,
                "members": moved_members,
                "effective_date": effective_date,
                "decision_number": decision_number,
            },
        )
    return target


def org_close(
    *, actor: Any, org: Org, effective_date: dt.date, decision_number: str = "", note: str = ""
) -> Org:
    require_cap_on(actor, org, Cap.ORG_RESTRUCTURE)
    _check_open(org)
    _check_date(effective_date)
    if org.children.filter(closed_on__isnull=True).exists():
        raise ValidationError(_("Move or merge its subordinate organizations first."))
    for check in hooks.close_checks:  # members: none left on its rolls
        check(org)
    with transaction.atomic():
        Org.objects.filter(pk=org.pk).update(closed_on=effective_date)
        org.refresh_from_db()
        _close_period(org, effective_date)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.CLOSED,
            effective_date=effective_date,
            decision_number=decision_number,
            actor=user_or_none(actor),
            note=note,
        )
        audit.record(
            actor=actor,
            action="orgs.close",
            object_type="org",
            object_id=org.code,
            data={"effective_date": effective_date, "decision_number": decision_number},
        )
    return org
