"""Background tasks of the activity app (thin wrappers around services)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from chibo.activity import services
from chibo.orgs.models import Org


@task()
def refresh_warnings(org_code: str = "", as_of: str = "") -> dict[str, int]:
    """The daily run: recompute the stored warnings and notify cell secretaries."""
    org = Org.objects.get(code=org_code) if org_code else None
    day = dt.date.fromisoformat(as_of) if as_of else None
    return services.warnings_refresh(actor=None, org=org, as_of=day)
