"""Party groups: the list of a cell's groups and their members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo.activity import selectors, services
from chibo.activity.models import PartyGroup, PartyGroupMember
from chibo.activity.views.common import _org
from chibo.core import rules

# --- party groups (tổ đảng) ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def party_groups(request: HttpRequest) -> HttpResponse:
    """The cell's party groups and who is in each; the secretary creates them and sets members."""
    org = _org(request, write=request.method == "POST")
    if not org.is_cell:
        raise Http404
    may_change = selectors.can_write(request.user, org)
    today = timezone.localdate()
    people = [e.member for e in services.roster(org, today) if not e.attached]
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                group = services.party_group_create(
                    actor=request.user, org=org, name=request.POST.get("name", "")
                )
                messages.success(
                    request, _("The party group %(name)s was created.") % {"name": group.name}
                )
            else:
                # One select per member ("group-<code>"): the group's id, or empty for none.
                chosen: dict[int, list[str]] = {}
                for m in people:
                    value = request.POST.get(f"group-{m.member_code}", "")
                    if value.isdigit():
                        chosen.setdefault(int(value), []).append(m.member_code)
                with transaction.atomic():
                    for group in PartyGroup.objects.filter(org=org):
                        services.party_group_set_members(
                            actor=request.user, group=group, member_codes=chosen.get(group.pk, [])
                        )
                messages.success(request, _("The party groups were saved."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(f"{reverse('activity:party_groups')}?org={org.code}")
    groups = list(PartyGroup.objects.filter(org=org).order_by("name"))
    member_of = dict(
        PartyGroupMember.objects.filter(group__org=org).values_list("member_id", "group_id")
    )
    rule = rules.rule_in_force("meetings.party_group", on=today)
    selectors.audit_list_read(
        request.user, [m.member_code for m in people], {"page": "party_groups", "org": org.code}
    )
    context = {
        "org": org,
        "groups": [(g, [m for m in people if member_of.get(m.pk) == g.pk]) for g in groups],
        "people": [(m, member_of.get(m.pk)) for m in people],
        "unassigned": [m for m in people if m.pk not in member_of],
        "size": len(people),
        "rule": rule,
        "allowed": len(people) >= rule.value["min_members"],
        "months": services.group_months(org, today.year),
        "year": today.year,
        "may_change": may_change,
    }
    return render(request, "activity/party_groups.html", context)
