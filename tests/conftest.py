from __future__ import annotations

import pytest

from chibo.core import rules


@pytest.fixture(autouse=True)
def _fresh_rules_cache() -> None:
    # Rule versions are loaded by migrations; each test database starts clean.
    rules.clear_cache()


@pytest.fixture(autouse=True)
def _two_factor_off(settings) -> None:  # noqa: ANN001
    # Most tests log committee users in with force_login; the 2FA flow has its
    # own tests (tests/security), which turn CHIBO_2FA_REQUIRED back on.
    settings.CHIBO_2FA_REQUIRED = False


@pytest.fixture
def tree(db):  # noqa: ANN001, ANN201
    from tests import factories

    return factories.tree()
