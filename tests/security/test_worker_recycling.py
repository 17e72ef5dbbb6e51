"""Recycled gunicorn workers (issue 24's load test): one at a time, ready at once.

With two workers that shared the load evenly, both reached ``max_requests`` in the same
second and every user of the 60k load test waited ~2 s while the pair was replaced and
the new workers loaded the URLconf. The shipped config now staggers the first batch
(``post_fork``), freezes the preloaded objects (``when_ready``) and lets a recycled worker
leave without the interpreter's tear-down (``worker_exit``); ``chibo.wsgi`` loads the
URLconf once in the master.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.security.served import PROJECT, gunicorn


@pytest.mark.django_db(transaction=True)
def test_workers_recycle_one_after_another_and_keep_answering(tmp_path: Path) -> None:
    with gunicorn(tmp_path, WEB_MAX_REQUESTS="8", WEB_MAX_REQUESTS_JITTER="0") as server:
        statuses = [
            server.request("GET", "/accounts/login/", client="198.51.100.7").status
            for _ in range(40)
        ]
        log = server.log.read_text()
    assert statuses == [200] * 40
    # The first two workers: 8 requests, then 8 + 8/2 (staggered by half a lifetime).
    assert sorted(int(n) for n in re.findall(r"recycles after (\d+) requests", log)) == [8, 12]
    # Both were replaced (the first one more than once) and no worker left with an error.
    assert log.count("Autorestarting worker") >= 3
    assert "exited with code" not in log
    assert "Exception during worker exit" not in log


def _exit_hook() -> Any:
    namespace: dict[str, Any] = {}
    exec((PROJECT / "deploy" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    return namespace["worker_exit"]


class _Worker:
    def __init__(self, booted: bool) -> None:
        self.booted = booted


@pytest.mark.parametrize(("booted", "code"), [(False, 3), (True, -1), (True, 4)])
def test_a_failed_worker_still_leaves_with_its_exit_code(booted: bool, code: int) -> None:
    """The fast exit is only for a worker that ends normally: gunicorn's master reads a boot
    failure (3) or a crash from the exit code, so those must not become 0."""
    worker_exit = _exit_hook()
    with pytest.raises(SystemExit) as leaving:
        try:
            sys.exit(code)
        finally:
            worker_exit(None, _Worker(booted))  # returns: the SystemExit goes on
    assert leaving.value.code == code


def test_the_wsgi_module_loads_the_urlconf_once_before_any_request() -> None:
    """gunicorn preloads chibo.wsgi in its master: the URLconf (every view, the API's schemas)
    must be loaded there, not by each fresh worker's first request."""
    probe = (
        "import sys, chibo.wsgi\n"
        "from django.urls import get_resolver\n"
        "r = get_resolver()\n"
        "print('chibo.api' in sys.modules, 'chibo.members.views' in sys.modules,"
        " r._populated)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chibo.settings"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True", "True"]
