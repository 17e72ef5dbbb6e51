"""One measured import for the cipher benchmark (tests/interchange/test_cipher_bench.py), in
its own process (peak RSS is per process).

    python -m tests.interchange.bench_run chibo FILE [legacy-cipher]

Uses DATABASE_URL (a fresh database), migrates, builds a small org tree,
then times only the import. Prints one JSON line: seconds, cpu_seconds
(this process only: on PostgreSQL the server's work is not in it), rows,
peak_rss_mb and the import's phases (parse / validate / write). The import's
floor is bench/import_floor.py (plain sqlite3/psycopg, no chibo code).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")


def _setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from tests import factories

    factories.tree()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_chibo(path: str, legacy_cipher: bool = False) -> dict:
    from chibo.interchange.services import import_file

    if legacy_cipher:  # the benchmark's "before": the hand-written cipher replaced in 16.19
        from chibo.interchange import members_write
        from tests.interchange import legacy_cipher as legacy

        members_write.encrypt_many = legacy.encrypt_many

    result = import_file(actor=None, kind="members", path=path)
    assert result.ok, [p.line() for p in result.problems[:5]]
    phases = {name: round(seconds, 2) for name, seconds in result.phases.items()}
    return {"rows": result.created, "events": result.events, "phases": phases}


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    extra = sys.argv[3] if len(sys.argv) > 3 else ""
    if mode != "chibo":
        raise SystemExit(f"unknown mode {mode!r}: the floor is bench/import_floor.py")
    _setup()
    started = time.perf_counter()
    cpu = time.process_time()
    out = run_chibo(path, legacy_cipher=extra == "legacy-cipher")
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["cpu_seconds"] = round(time.process_time() - cpu, 2)
    out["peak_rss_mb"] = _peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
