"""Rows made once for a whole test module, each test still isolated from the others.

Seeding a demo city costs seconds (3,000 members: ~10 s of CPU on SQLite, more on
PostgreSQL); made again for every test of a module it dominated `make test`. A fixture
of scope "module" built on ``module_data`` makes the rows once::

    @pytest.fixture(scope="module")
    def city(django_db_setup, django_db_blocker, tmp_path_factory):
        with module_data(django_db_blocker, tmp_path_factory):
            call_command("seed-demo", ...)
            yield ...

``module_data`` opens a transaction on the test database and yields inside it; each test
of the module then runs as every database test does (pytest-django's ``db``: Django's
TestCase), inside a savepoint of that transaction which is rolled back after the test.
So a test sees the module's rows and never a row another test wrote; after the module's
last test the whole transaction is rolled back and the next module finds the database as
the migrations left it. tests/test_module_data.py proves the three on both databases.

Only for tests on the ``db`` fixture: a transactional test (``transaction=True``, a live
server, threads) would commit or flush under the open transaction; ``module_data``
fails loudly at the end of the module when its transaction did not survive.

The fast password hasher and the second factor off hold for the whole session
(tests/conftest.py); the rows are made with audit checkpoints in a file of their own,
as each test has its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings


@contextmanager
def module_data(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    checkpoints = tmp_path_factory.mktemp("module-data") / "audit-checkpoints.jsonl"
    with (
        django_db_blocker.unblock(),
        override_settings(CHIBO_AUDIT_CHECKPOINTS=checkpoints),
    ):
        from chibo.core import calendar, rules

        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            survived = connection.in_atomic_block and not connection.needs_rollback
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            # Caches that may hold what the rolled-back rows made.
            rules.clear_cache()
            calendar.clear_cache()
            from django.core.cache import cache

            cache.clear()
        if not survived:
            raise AssertionError(
                "module_data: the module's transaction was committed or broken by a test "
                "(a transactional test or a live server cannot share module data)"
            )
