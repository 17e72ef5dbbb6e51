"""Tests that use no database of the run's run once in `make test`, in its SQLite run.

`make test` runs the suite twice, on SQLite and on PostgreSQL (scripts/test-suites). A test
that reads no database of the run's — a static check of the source tree, a pure function,
a subprocess on a SQLite file of its own — would only repeat itself on the second database.
Such a test (or module: ``pytestmark``) is marked ``database_free``; scripts/test-suites
sets ``CHIBO_SECOND_DATABASE_RUN=1`` for its PostgreSQL run, where they are deselected and
the run says so in its summary. Run alone (``scripts/with-postgres pytest ...``), the
PostgreSQL suite still runs everything.

Not database-free, even without the ``db`` fixture: a subprocess that inherits the run's
``DATABASE_URL``, or a check of SQL or of settings that depends on the database engine.
A test marked ``database_free`` that asks for a database anyway (the ``django_db`` mark,
``db``, a live server …) stops the collection with an error.

Loaded from tests/conftest.py; tests/test_database_free.py proves the three behaviours.
"""

from __future__ import annotations

import os

import pytest

MARK = "database_free"
SECOND_RUN = "CHIBO_SECOND_DATABASE_RUN"
_LEFT = pytest.StashKey[int]()


def _uses_a_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    # Every fixture of pytest-django that opens the test database depends on this one.
    return "django_db_setup" in getattr(item, "fixturenames", ())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARK}: uses no database of the run's; in make test it runs in the SQLite run only",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker(MARK) is not None]
    wrong = [item.nodeid for item in marked if _uses_a_database(item)]
    if wrong:
        raise pytest.UsageError(
            f"marked {MARK} but using the database (take the mark off):\n  " + "\n  ".join(wrong)
        )
    if os.environ.get(SECOND_RUN) != "1" or not marked:
        return
    left = set(marked)
    config.hook.pytest_deselected(items=marked)
    items[:] = [item for item in items if item not in left]
    config.stash[_LEFT] = len(marked)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    left = terminalreporter.config.stash.get(_LEFT, 0)
    if left:
        terminalreporter.write_line(
            f"{left} tests marked {MARK} (no database of the run's) were left to the SQLite "
            f"run ({SECOND_RUN}=1): each runs once in make test"
        )
