"""A change to a candidate through the API needs the `version` it was based on (review item 14)."""

from __future__ import annotations

import pytest
from django.test import Client

from chibo.accounts.tokens import token_create
from chibo.admissions.models import Candidate

pytestmark = pytest.mark.django_db


def _post(user, path: str, body: dict):
    _t, raw = token_create(actor=None, user=user)
    return Client().post(
        f"/api/v1/candidates{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_a_step_needs_the_version_and_a_stale_one_is_refused(world, cand) -> None:
    sec = world["users"]["sec"]
    body = {"done_on": "2024-10-15", "document_number": "123/GCN"}
    body["data"] = {"cert_number": "123/GCN", "cert_issuer": "TTCT"}
    missing = _post(sec, f"/{cand.pk}/steps/course", body)
    assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
    stale = _post(sec, f"/{cand.pk}/steps/course", {**body, "version": cand.version + 1})
    assert stale.status_code == 422
    assert Candidate.objects.get(pk=cand.pk).steps.count() == cand.steps.count()
    ok = _post(sec, f"/{cand.pk}/steps/course", {**body, "version": cand.version})
    assert ok.status_code == 200, ok.json()
    assert Candidate.objects.get(pk=cand.pk).version == cand.version + 1
    # The former name is still read.
    again = _post(sec, f"/{cand.pk}/steps/application", {"done_on": "2024-11-01"})
    assert again.status_code == 422
    old_name = {"done_on": "2024-11-01", "expected_version": cand.version + 1}
    assert _post(sec, f"/{cand.pk}/steps/application", old_name).status_code == 200
