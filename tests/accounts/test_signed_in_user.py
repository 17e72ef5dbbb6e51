"""Each signed-in request reads its session by a statement compiled once, and the user with
their role assignments in force today in one statement (``accounts.backends.SignedInUser``,
``accounts.sessions``). Issue 22: ``GET /api/v1/members?q=`` made 12 statements; the user and
the roles were two of them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.accounts import backends
from chibo.accounts.models import RoleAssignment
from chibo.core import scoping
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-dai-123"


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_user_and_their_roles_are_one_statement(tree) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    assert client.session[BACKEND_SESSION_KEY] == backends.PATH
    with CaptureQueriesContext(connection) as seen:
        assert client.get("/orgs/").status_code == 200
    users = [q["sql"] for q in seen.captured_queries if '"auth_user"' in q["sql"]]
    # the assignments in force today (the scope of every permission check)
    in_force = [q["sql"] for q in seen.captured_queries if 'valid_until" IS NULL' in q["sql"]]
    assert len(users) == 1, users
    assert in_force == users  # was two statements: the user, then the assignments in force


def test_the_roles_read_with_the_user_are_the_roles_in_force_today(tree) -> None:
    today = timezone.localdate()
    user = factories.user("canbo")
    held = [
        ("cell_secretary", tree["cell_a"], None, None),
        ("viewer", tree["cell_b"], today, today),  # both bounds today: in force
        ("grassroots_staff", tree["uni"], today - dt.timedelta(days=9), None),
    ]
    ended = [
        ("superior_staff", tree["uni"], None, today - dt.timedelta(days=1)),
        ("viewer", tree["uni"], today + dt.timedelta(days=1), None),
    ]
    for role, org, start, until in held + ended:
        RoleAssignment.objects.create(
            user=user, role=role, org=org, valid_from=start, valid_until=until
        )
    factories.user("other", "city_office", tree["city"])
    read = backends.user_with_roles(user.pk)
    assert read is not None and (read.pk, read.username) == (user.pk, "canbo")
    assert sorted(read._chibo_roles) == sorted((role, org.path) for role, org, *_ in held)
    reference = User_read_by_orm(user.pk)
    assert sorted(scoping._roles(reference)) == sorted(read._chibo_roles)
    # The user's fields, typed as the ORM reads them (SQLite: booleans, aware datetimes).
    for field in type(user)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(reference, field.attname), field.name
        assert type(getattr(read, field.attname)) is type(getattr(reference, field.attname))
    assert read._state.adding is False and read._state.db == "default"


def User_read_by_orm(pk: int):
    from django.contrib.auth.models import User

    return User.objects.get(pk=pk)


def test_a_user_without_roles_and_an_unknown_user(tree) -> None:
    user = factories.user("noroles")
    read = backends.user_with_roles(user.pk)
    assert read is not None and read._chibo_roles == []
    assert backends.user_with_roles(user.pk + 1000) is None
    assert backends.SignedInUser().get_user("not a number") is None


def test_a_deactivated_user_is_signed_out(tree) -> None:
    user = factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_that_names_the_model_backend_stays_signed_in(tree) -> None:
    """Sessions written before SignedInUser name Django's ModelBackend: still valid."""
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert client.get("/orgs/").status_code == 200
    assert client.session[SESSION_KEY] == str(User_read_by_orm(int(client.session[SESSION_KEY])).pk)


def test_a_wrong_password_is_refused_and_checked_once(tree, monkeypatch) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    from django.contrib.auth.hashers import get_hasher

    checks: list[str] = []
    hasher = type(get_hasher())  # the tests' fast hasher (tests/conftest.py)
    verify = hasher.verify
    monkeypatch.setattr(
        hasher, "verify", lambda self, pw, enc: checks.append(pw) or verify(self, pw, enc)
    )
    client = Client()
    response = client.post("/accounts/login/", {"username": "bithu", "password": "sai-mat-khau"})
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert checks == ["sai-mat-khau"]  # ModelBackend's check only, not one per backend


def test_an_expired_session_is_not_read(tree) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    assert client.get("/orgs/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the session and its user in one statement (accounts.sessions) -------------------------


def _kinds(client: Client, path: str = "/orgs/") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as seen:
        status = client.get(path).status_code
    sessions = [q["sql"] for q in seen.captured_queries if '"django_session"' in q["sql"]]
    return status, sessions


def test_after_a_sessions_first_request_it_is_read_with_its_user_in_one_statement(tree) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    assert client.get("/orgs/").status_code == 200  # the process learns the session's user
    with CaptureQueriesContext(connection) as seen:
        assert client.get("/orgs/").status_code == 200
    reads = [
        q["sql"]
        for q in seen.captured_queries
        if '"django_session"' in q["sql"] or '"auth_user"' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert '"django_session"' in reads[0] and '"auth_user"' in reads[0]
    assert 'valid_until" IS NULL' in reads[0]  # the roles in force, in the same statement


def test_a_role_ended_between_two_requests_is_gone_at_the_next(tree) -> None:
    user = factories.user("canbo", "city_office", tree["city"])
    RoleAssignment.objects.create(user=user, role="cell_secretary", org=tree["cell_a"])
    client = _signed_in("canbo")
    assert client.get("/orgs/").status_code == 200
    assert client.get(f"/orgs/{tree['school'].code}/").status_code == 200
    RoleAssignment.objects.filter(user=user, role="city_office").update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(f"/orgs/{tree['school'].code}/").status_code == 404
    assert client.get(f"/orgs/{tree['cell_a'].code}/").status_code == 200


def test_a_user_read_before_a_request_is_never_that_requests_user(tree) -> None:
    """Rows left by an earlier request (or read outside any) are dropped when a request starts:
    here a forged city-office row for the cell secretary, who must still see only her cell."""
    from chibo.accounts import sessions

    user = factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    assert client.get("/orgs/").status_code == 200
    forged = backends.user_and_roles()[0].rows(user.pk, timezone.localdate())
    forged = [(*row[:-2], "city_office", tree["city"].path) for row in forged]
    backends.read_with_session(user.pk, forged)
    sessions._USER_OF.clear()  # a process that does not know the session yet
    assert client.get(f"/orgs/{tree['school'].code}/").status_code == 404


def test_a_session_naming_another_user_than_remembered_reads_its_own(tree) -> None:
    from chibo.accounts import sessions

    factories.user("bithu", "cell_secretary", tree["cell_a"])
    other = factories.user("other", "city_office", tree["city"])
    client = _signed_in("bithu")
    assert client.get("/orgs/").status_code == 200
    key = client.session.session_key
    assert sessions._USER_OF[key] != other.pk
    sessions._USER_OF[key] = other.pk  # a wrong guess: the city office's row is read with it
    assert client.get(f"/orgs/{tree['school'].code}/").status_code == 404
    assert sessions._USER_OF[key] == int(client.session[SESSION_KEY])  # learnt again


@pytest.mark.parametrize("change", ["deactivated", "deleted", "password"])
def test_a_user_changed_after_the_session_was_remembered_is_signed_out(tree, change) -> None:
    user = factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = _signed_in("bithu")
    assert client.get("/orgs/").status_code == 200
    assert client.get("/orgs/").status_code == 200  # read in one statement with its user
    if change == "deactivated":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif change == "deleted":
        user.delete()
    else:
        user.set_password("mat-khau-moi-456")
        user.save(update_fields=["password"])
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
