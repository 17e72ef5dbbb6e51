"""Data commands start without Django's system checks (issue 22): the checks import every
URL and API module, half a second of a 10,000-row import. `chibo check`, `runserver` and the
deploy's `check --deploy` still run them."""

from __future__ import annotations

import io

import pytest
from django.core.management import get_commands, load_command_class
from django.core.management.base import BaseCommand

from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv

pytestmark = pytest.mark.django_db


def run(name: str, *argv: str) -> str:
    """The command as `chibo NAME ARGV…` runs it (``run_from_argv`` without closing the
    test's connection): the checks run here unless the command asks for none."""
    command = load_command_class(get_commands()[name], name)
    out = io.StringIO()
    command.stdout = type(command.stdout)(out)
    options = vars(command.create_parser("chibo", name).parse_args(list(argv)))
    args = options.pop("args", ())
    command.execute(*args, **options)
    return out.getvalue()


@pytest.fixture
def no_checks(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError(f"system checks ran for {type(self).__module__}")

    monkeypatch.setattr(BaseCommand, "check", refuse)


def test_import_and_export_run_no_system_checks(tree, tmp_path, no_checks) -> None:
    path = write_csv(tmp_path / "members.csv", MEMBER_HEADER, [member_row("DV1")])
    assert "Chạy thử" in run("import", "members", str(path), "--dry-run")
    run("export", "orgs", "--format", "csv", "--output", str(tmp_path / "orgs.csv"))
    assert (tmp_path / "orgs.csv").stat().st_size > 0


def test_demo_commands_run_no_system_checks(no_checks) -> None:
    with pytest.raises(SystemExit):  # no demo loaded: exit 1
        run("demo-status")
    run("seed-demo", "--members", "100", "--members-only", "--seed", "1")
    run("demo-status")
