"""Small helpers every app's services share (a service's own rules stay in its app).

- ``user_or_none(actor)``: the actor as a row stores it (None for the system itself);
- ``check_not_future(day, field)``: a date a person typed may not lie ahead of today;
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def user_or_none(actor: Any) -> Any:
    """The actor as stored on a row: a logged-in user, or None for the system itself."""
    return actor if getattr(actor, "is_authenticated", False) else None


def check_not_future(day: dt.date, name: str = "effective_date") -> None:
    """Refuse a date after today, on the field ``name``."""
    if day > timezone.localdate():
        raise ValidationError({name: [_("The date cannot be in the future.")]})
