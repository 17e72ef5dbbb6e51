"""Outgoing numbering: from 01 per type within each committee term, never reused, no gaps, concurrent-safe."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from chibo.core.roles import Role
from chibo.directives import services
from chibo.directives.models import CommitteeTerm, Direction, Document
from chibo.orgs.models import Org
from tests import factories as f
from tests.directives.conftest import TERM_END, quick_user


def issue(org: Org, doc_type: str, day: dt.date) -> Document:
    return services.document_issue(
        actor=None, org=org, doc_type=doc_type, title="Báo cáo", issued_on=day
    )


@pytest.mark.django_db
def test_numbers_start_at_01_per_type(t: dict[str, Org]) -> None:
    city = t["city"]
    day = dt.date(2024, 3, 1)
    assert issue(city, "BC", day).symbol == "01-BC/TU"
    assert issue(city, "BC", day).symbol == "02-BC/TU"
    assert issue(city, "CV", day).symbol == "01-CV/TU"
    assert issue(city, "qd", day).symbol == "01-QĐ/TU"
    assert issue(city, "BC", day).number == 3


@pytest.mark.django_db
def test_numbering_restarts_with_the_new_term_at_its_boundary(t: dict[str, Org]) -> None:
    city = t["city"]
    issue(city, "BC", dt.date(2025, 1, 1))
    last_of_old = issue(
        city, "BC", TERM_END
    )  # the day the congress closes still belongs to the old term
    first_of_new = issue(city, "BC", TERM_END + dt.timedelta(days=1))
    assert last_of_old.number == 2 and last_of_old.term.name == "2020–2025"
    assert first_of_new.number == 1 and first_of_new.term.name == "2025–2030"


@pytest.mark.django_db
def test_no_term_no_number(t: dict[str, Org]) -> None:
    with pytest.raises(ValidationError) as err:
        issue(t["city"], "BC", dt.date(2019, 1, 1))
    assert "issued_on" in err.value.message_dict


@pytest.mark.django_db
def test_rule_in_force_is_quoted_from_hd36(t: dict[str, Org]) -> None:
    from chibo.core.rules import rule_in_force

    rule = rule_in_force("directives.numbering", on=dt.date(2018, 4, 3))
    assert rule.value["first"] == 1 and "HD 36-HD/VPTW" in rule.source
    from chibo.core.rules import RuleMissing

    with pytest.raises(RuleMissing):
        rule_in_force("directives.numbering", on=dt.date(2018, 4, 2))


@pytest.mark.django_db
def test_a_failed_issue_leaves_no_gap(t: dict[str, Org]) -> None:
    city = t["city"]
    issue(city, "BC", dt.date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.document_issue(
            actor=None,
            org=city,
            doc_type="BC",
            title="x",
            issued_on=dt.date(2024, 3, 1),
            recipients=[services.RecipientIn("Nơi nhận", copies=0)],
        )
    assert issue(city, "BC", dt.date(2024, 3, 1)).number == 2


@pytest.mark.django_db
def test_database_refuses_a_duplicate_outgoing_number(t: dict[str, Org]) -> None:
    first = issue(t["city"], "BC", dt.date(2024, 3, 1))
    dup = Document(
        direction=Direction.OUTGOING,
        org=first.org,
        term=first.term,
        number=1,
        doc_type="BC",
        issuer_code="TU",
        symbol="01-BC/TU",
        title="x",
        issuing_body="x",
        issued_on=first.issued_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


@pytest.mark.django_db
def test_only_the_committee_office_may_issue(t: dict[str, Org]) -> None:
    from django.core.exceptions import PermissionDenied

    viewer = quick_user("xem", Role.VIEWER, t["city"])
    with pytest.raises(PermissionDenied):
        services.document_issue(
            actor=viewer, org=t["city"], doc_type="BC", title="x", issued_on=dt.date(2024, 3, 1)
        )


def _issue_concurrently(city: Org, n_threads: int = 2, each: int = 3) -> list[int]:
    barrier = threading.Barrier(n_threads)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            for _i in range(each):
                results.append(issue(city, "CV", dt.date(2024, 5, 1)).number)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _i in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issuings_get_distinct_consecutive_numbers(tmp_path: Path) -> None:
    tree = f.tree()
    CommitteeTerm.objects.create(
        org=tree["city"], name="2020–2025", starts_on=dt.date(2020, 10, 18)
    )
    if connection.vendor != "sqlite":
        results = _issue_concurrently(tree["city"])
        numbers = sorted(Document.objects.filter(doc_type="CV").values_list("number", flat=True))
    else:
        # The in-memory test database (shared cache) fails at once on a lock
        # instead of waiting, unlike the file database chibo runs on; copy it
        # to a file so the threads meet the real IMMEDIATE-transaction locking.
        db_file = tmp_path / "concurrent.sqlite3"
        target = sqlite3.connect(db_file)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        settings_dict = connections.settings["default"]
        old_name = settings_dict["NAME"]
        settings_dict["NAME"] = str(db_file)
        try:
            results = _issue_concurrently(tree["city"])
        finally:
            settings_dict["NAME"] = old_name
        with sqlite3.connect(db_file) as check:
            numbers = sorted(
                n
                for (n,) in check.execute(
                    "SELECT number FROM directives_document WHERE doc_type = 'CV'"
                )
            )
    assert sorted(results) == [1, 2, 3, 4, 5, 6], (connection.vendor, results)
    assert numbers == [1, 2, 3, 4, 5, 6]
