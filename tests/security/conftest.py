from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def two_factor_on(settings: Any) -> None:
    settings.CHIBO_2FA_REQUIRED = True


def full_member(org: Any, code: str) -> Any:
    """A full member (mentor/introducer material)."""
    import datetime as dt

    from chibo.members import services as member_services
    from tests import factories as f

    member = f.member(
        org, code=code, admitted_on=dt.date(2020, 1, 10), date_of_birth=dt.date(1985, 1, 1)
    )
    member_services.member_recognize(
        actor=None,
        member=member,
        decided_on=member.probation_ends_on,
        decision=member_services.Decision(number="5-QĐ/ĐU"),
    )
    member.refresh_from_db()
    return member
