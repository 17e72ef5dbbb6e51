from __future__ import annotations

from collections.abc import Iterator

import pytest

from chibo.core import rules

# Tests marked database_free run in make test's SQLite run only (tests/database_free.py).
from tests.database_free import (  # noqa: F401 (pytest hooks)
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_terminal_summary,
)


def _reload_data_migrations() -> None:
    """Re-run chibo's data migrations (rule versions, absence reasons …).

    A transactional test (threads, the live server) ends with a flush that
    empties every table, including what data migrations loaded; the tests
    after it would then find no rule in force. Running the migrations'
    RunPython steps again on the emptied tables puts the data back.
    """
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = [key for key in loader.graph.leaf_nodes()]
    ordered = []
    for leaf in plan:
        for node in loader.graph.forwards_plan(leaf):
            if node not in ordered:
                ordered.append(node)
    with connection.schema_editor(atomic=True) as editor:
        for app_label, name in ordered:
            if not loader.disk_migrations[(app_label, name)].__module__.startswith("chibo."):
                continue
            for operation in loader.disk_migrations[(app_label, name)].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Every test starts in the product's default language (Vietnamese), whatever an
    # earlier test or request left active in this thread; tests that need English
    # say so with translation.override("en").
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_rules_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    # Rule versions and calendar adjustments are loaded by migrations; each test
    # database starts clean, and a rolled-back test leaves no cached row behind.
    from chibo.core import calendar
    from chibo.lib import workdays

    rules.clear_cache()
    calendar.clear_cache()
    # Entries keyed by primary keys (counts, populated cells): the next test's rows may
    # reuse a rolled-back test's keys.
    from django.core.cache import cache

    cache.clear()
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        # No database: working days are the library's and the weekends' alone.
        previous = workdays.set_adjustments(None)
        yield
        workdays.set_adjustments(previous)
        return
    request.getfixturevalue("_django_db_helper")
    from chibo.core.models import RuleVersion

    if not RuleVersion.objects.exists():
        _reload_data_migrations()
        rules.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture(scope="session", autouse=True)
def _fast_hasher() -> Iterator[None]:
    # Factories and demo seeding set real passwords; the production hasher costs
    # ~0.3-0.8 s a user on this machine and would dominate the run time. For the whole
    # session, so that data made once for a module (tests/module_data.py) has it too.
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path) -> None:
    # Signed audit checkpoints live outside the database: each test its own file,
    # so one test's checkpoints never judge another test's chain.
    settings.CHIBO_AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(scope="session", autouse=True)
def _two_factor_off() -> Iterator[None]:
    # Most tests log committee users in with force_login; the 2FA flow has its
    # own tests (tests/security), which turn CHIBO_2FA_REQUIRED back on (the
    # ``settings`` fixture, undone after each of them).
    from django.test.utils import override_settings

    with override_settings(CHIBO_2FA_REQUIRED=False):
        yield


@pytest.fixture
def tree(db):
    from tests import factories

    return factories.tree()


@pytest.fixture(scope="session")
def replica_db(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    """The stand-in read replica (tests/replica.py), created and migrated once for the run."""
    from tests.replica import stand_in

    with stand_in(django_db_blocker, tmp_path_factory) as cfg:
        yield cfg


@pytest.fixture
def replica(replica_db, settings) -> Iterator[str]:
    """The stand-in replica configured as ``settings.DATABASES["replica"]`` for the test."""
    from chibo.core.dbrouter import REPLICA
    from tests.replica import install, uninstall

    settings.DATABASES = {**settings.DATABASES, REPLICA: replica_db}
    install(replica_db)
    try:
        yield REPLICA
    finally:
        uninstall()
