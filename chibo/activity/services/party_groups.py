"""Party groups: one created, its members set."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity.models import PartyGroup, PartyGroupMember
from chibo.activity.services.roster import roster
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.orgs.models import Org

# --- party groups (tổ đảng) ---------------------------------------------------


def party_group_create(*, actor: Any, org: Org, name: str) -> PartyGroup:
    """A party group inside cell ``org`` (its members are set by ``party_group_set_members``)."""
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    name = (name or "").strip()
    if not org.is_cell:
        raise ValidationError(
            {
                "org": [
                    _("Party groups exist inside a party cell; %(org)s is not a cell.")
                    % {"org": org.name}
                ]
            }
        )
    if not name:
        raise ValidationError({"name": [_("Give the party group a name.")]})
    if PartyGroup.objects.filter(org=org, name__iexact=name).exists():
        raise ValidationError({"name": [_("This cell already has a party group of that name.")]})
    with transaction.atomic():
        group = PartyGroup.objects.create(org=org, name=name[:120])
        audit.record(
            actor=actor,
            action="activity.party_group_created",
            object_type="party_group",
            object_id=group.pk,
            data={"org": org.code, "name": group.name},
        )
    return group


def party_group_set_members(*, actor: Any, group: PartyGroup, member_codes: list[str]) -> int:
    """Make ``member_codes`` the members of ``group`` (members of its cell on the rolls today).

    A member moves out of their former group of the cell. Returns the group's size.
    """
    org = group.org
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    today = timezone.localdate()
    cell = {e.member.member_code: e.member for e in roster(org, today) if not e.attached}
    codes = list(dict.fromkeys(c.strip() for c in member_codes if c.strip()))
    unknown = [c for c in codes if c not in cell]
    if unknown:
        raise ValidationError(
            {
                "member_codes": [
                    _("Not members of this cell: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    ids = [cell[c].pk for c in codes]
    with transaction.atomic():
        PartyGroupMember.objects.filter(group=group).exclude(member_id__in=ids).delete()
        PartyGroupMember.objects.filter(member_id__in=ids).exclude(group=group).delete()
        have = set(PartyGroupMember.objects.filter(group=group).values_list("member_id", flat=True))
        PartyGroupMember.objects.bulk_create(
            [PartyGroupMember(group=group, member_id=i) for i in ids if i not in have]
        )
        audit.record(
            actor=actor,
            action="activity.party_group_members",
            object_type="party_group",
            object_id=group.pk,
            data={"org": org.code, "name": group.name, "members": codes},
        )
    return len(ids)
