"""Property-based run of every operation in the generated OpenAPI schema.

schemathesis generates valid (positive) and invalid (negative) requests from
/api/v1/openapi.json and sends them through the WSGI app, authenticated with
a token on seeded demo data, once per role: a superior committee's staff, a
grassroots committee's staff (both may write members, admissions and
directives) and the city office (reads the whole city, writes directives and
reports). No input may produce a 5xx. Bounded: EXAMPLES per operation and
mode (CHIBO_FUZZ_EXAMPLES overrides).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from chibo.accounts.tokens import token_create
from chibo.core.roles import Role
from chibo.wsgi import application
from tests import factories

EXAMPLES = int(os.environ.get("CHIBO_FUZZ_EXAMPLES", "5"))
# Comma-separated path prefixes (e.g. "/members,/orgs") to fuzz only some routers while working on them.
ONLY = tuple(p for p in os.environ.get("CHIBO_FUZZ_ONLY", "").split(",") if p)


ROLES = [Role.SUPERIOR_STAFF, Role.GRASSROOTS_STAFF, Role.CITY_OFFICE]


def _users() -> dict[str, object]:
    from chibo.accounts.models import RoleAssignment

    found = {
        role: ra.user
        for role in ROLES
        if (ra := RoleAssignment.objects.filter(role=role).select_related("user").first())
    }
    if len(found) == len(ROLES):
        return found
    tree = factories.tree()  # seed-demo unavailable: a small tree instead
    for i, cell in enumerate((tree["cell_a"], tree["cell_b"], tree["school"])):
        factories.member(cell, full_name=f"Nguyễn Văn Thử {i}", code=f"DVF{i}")
    return {
        role: factories.user(
            f"fuzz-{role}", role, tree["uni"] if role == Role.GRASSROOTS_STAFF else tree["city"]
        )
        for role in ROLES
    }


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    # Like Django's test Client: a WSGI call must not close the test
    # transaction's connection at request end (it would on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_test_connection")
def test_no_input_makes_the_api_fail_with_5xx() -> None:
    """Each generated case is sent once as each role (generating a case costs as much as
    sending it: generated once, not once per role)."""
    try:
        call_command("seed-demo", "--members", "300", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except Exception as exc:
        print(f"seed-demo unavailable ({exc}); using factories")
    from chibo.members.selectors import members_for
    from chibo.orgs.selectors import orgs_for

    actors = []
    for role, user in _users().items():
        _token, raw = token_create(actor=None, user=user)
        # Half the cases use real codes in the role's scope, so generated bodies reach
        # the services.
        real = {
            "member_code": list(
                members_for(user).order_by("member_code").values_list("member_code", flat=True)[:50]
            ),
            "code": list(orgs_for(user).order_by("path").values_list("code", flat=True)[:50]),
        }
        actors.append((role, {"Authorization": f"Bearer {raw}"}, real))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema.validate()
    started = time.monotonic()
    failures: list[str] = []
    statuses: dict[str, Counter[int]] = {role: Counter() for role, _h, _r in actors}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if ONLY and not operation.path.removeprefix("/api/v1").startswith(ONLY):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def run(case: schemathesis.Case, data: st.DataObject) -> None:
                generated = dict(case.path_parameters or {})
                for role, headers, real in actors:
                    if generated:
                        case.path_parameters = dict(generated)
                    for name in generated:
                        if real.get(name) and data.draw(st.booleans()):
                            case.path_parameters[name] = data.draw(st.sampled_from(real[name]))
                    cache.clear()  # the per-user rate limit is not what we test here
                    # Each case starts from the seeded data, and a failed query on
                    # PostgreSQL cannot poison the cases after it.
                    savepoint = transaction.savepoint()
                    try:
                        response = case.call(headers=headers)
                    finally:
                        transaction.savepoint_rollback(savepoint)
                    statuses[role][response.status_code] += 1
                    if response.status_code >= 500 and len(failures) < 50:
                        failures.append(
                            f"as {role}: {case.method} {case.formatted_path} → "
                            f"{response.status_code}: {case.as_curl_command()}"
                        )

            run()
    for role, counts in statuses.items():
        print(
            f"\nschemathesis as {role}: {operations} operations, {sum(counts.values())} "
            f"requests, statuses {dict(sorted(counts.items()))}"
        )
    print(f"schemathesis: {time.monotonic() - started:.1f} s")
    assert operations >= (1 if ONLY else 25)
    assert all(sum(counts.values()) >= operations for counts in statuses.values())
    assert not failures, "\n".join(failures[:20])
