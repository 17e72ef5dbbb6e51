from __future__ import annotations

import pytest

from chibo.core import rules


@pytest.fixture(autouse=True)
def _fresh_rules_cache() -> None:
    # Rule versions are loaded by migrations; each test database starts clean.
    rules.clear_cache()


@pytest.fixture
def tree(db):  # noqa: ANN001, ANN201
    from tests import factories

    return factories.tree()
