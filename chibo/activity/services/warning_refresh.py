"""The early warnings refreshed (the daily job) and the secretaries told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.activity import signals
from chibo.activity import warnings as risk
from chibo.activity.models import MemberWarning
from chibo.core import audit
from chibo.core.notify import notify
from chibo.core.roles import Cap, Role
from chibo.core.scoping import require_cap_on
from chibo.orgs.models import Org

# Sent inside the refresh's transaction: the warnings of ``org``'s subtree were replaced
# (the reports' dashboard cache listens; bulk deletes send no model signals). Defined in
# activity.signals, so that a listener connects without importing this module.
warnings_refreshed = signals.warnings_refreshed


# --- warnings --------------------------------------------------------------------


def warnings_refresh(
    *, actor: Any = None, org: Org | None = None, as_of: dt.date | None = None, send: bool = True
) -> dict[str, int]:
    """Recompute and store the warnings of ``org``'s subtree (default: the city) and tell cell secretaries."""
    if org is None:
        org = Org.objects.filter(parent__isnull=True).order_by("path").first()
        if org is None:
            return {"warning": 0, "removal_review": 0, "notified": 0}
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    day = as_of or timezone.localdate()
    risks = risk.compute(org, day)
    with transaction.atomic():
        previous = dict(
            MemberWarning.objects.filter(org.subtree_filter("org__")).values_list(
                "member_id", "level"
            )
        )
        MemberWarning.objects.filter(org.subtree_filter("org__")).delete()
        ids = [r.member_id for r in risks]
        for i in range(0, len(ids), 500):  # rows left elsewhere by members who moved in
            MemberWarning.objects.filter(member_id__in=ids[i : i + 500]).delete()
        MemberWarning.objects.bulk_create(
            [
                MemberWarning(
                    member_id=r.member_id,
                    org_id=r.org_id,
                    level=r.level,
                    inactive_months=r.inactive_months,
                    unpaid_months=r.unpaid_months,
                    as_of=day,
                )
                for r in risks
            ],
            batch_size=1000,
        )
        warnings_refreshed.send(sender=MemberWarning, org=org, as_of=day)
        counts = {
            "warning": sum(r.level == "warning" for r in risks),
            "removal_review": sum(r.level == "removal_review" for r in risks),
        }
        notified = (
            _notify_secretaries([r for r in risks if previous.get(r.member_id) != r.level], day)
            if send
            else 0
        )
        audit.record(
            actor=actor,
            action="activity.warnings_refreshed",
            object_type="org",
            object_id=org.code,
            data={"as_of": day, **counts, "notified": notified},
        )
    return {**counts, "notified": notified}


def _notify_secretaries(risks: list[risk.MemberRisk], day: dt.date) -> int:
    from chibo.accounts.models import RoleAssignment

    if not risks:
        return 0
    secretaries: dict[int, list[Any]] = {}
    for ra in RoleAssignment.objects.filter(
        role=Role.CELL_SECRETARY, org_id__in={r.org_id for r in risks}
    ).select_related("user"):
        if ra.user.is_active:
            secretaries.setdefault(ra.org_id, []).append(ra.user)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for r in risks:
            for user in secretaries.get(r.org_id, []):
                if r.level == "removal_review":
                    text = _(
                        "%(name)s (%(code)s) has reached the removal threshold: review the case with the cell."
                    )
                else:
                    text = _(
                        "%(name)s (%(code)s) missed party activity or dues: talk with the member early."
                    )
                message = text % {"name": r.full_name, "code": r.member_code}
                if notify(
                    user=user,
                    kind="activity.warning",
                    message=message,
                    url="/activity/warnings/",
                    dedupe_key=f"activity.warning:{r.member_code}:{r.level}:{day:%Y-%m}",
                ):
                    sent += 1
    return sent
