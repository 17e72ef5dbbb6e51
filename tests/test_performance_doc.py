"""docs/performance.md's bench tables are generated from the stored runs (docs/bench/*.json),
never edited by hand."""

from __future__ import annotations

import pytest

from bench import render_performance

pytestmark = pytest.mark.database_free


def test_the_bench_tables_in_performance_md_are_the_stored_runs() -> None:
    text = render_performance.DOC.read_text()
    assert render_performance.BEGIN in text and render_performance.END in text
    assert render_performance.docs_text(text) == text, (
        "docs/performance.md's generated part differs from docs/bench/*.json: "
        "run python -m bench.render_performance --docs"
    )


def test_a_case_over_its_target_is_shown_as_such() -> None:
    run = {
        "vendor": "sqlite",
        "members": 400000,
        "date": "d",
        "load": {"start": "1.00 1.00 1.00", "end": "1.00 1.00 1.00"},
        "rows": [
            {
                "case": "name search, city",
                "orm_p50_ms": 9.0,
                "orm_p95_ms": 30.0,
                "sql_p50_ms": 1.0,
                "ratio": 9.0,
                "same_answer": True,
                "target": {"p50_ms": 5.0},
                "over_target": ["p50_ms 9.0 > 5.0"],
                "plan": "name: member_name_idx",
            }
        ],
    }
    out = render_performance.table(run)
    assert "**over: p50_ms 9.0 > 5.0**" in out and "member_name_idx" in out
    assert "load (1/5/15 min) 1.00 1.00 1.00" in out


def test_a_run_in_parts_keeps_each_parts_load(tmp_path) -> None:
    """bench/scale.py --only … run in parts (each under the bench lock), merged into one run:
    every row, the load and runnable processes of each part."""
    import json

    def part(only: str, case: str, load: str) -> dict:
        return {
            "vendor": "postgresql",
            "members": 400000,
            "date": f"d-{only}",
            "only": only,
            "seconds": 10.0,
            "load": {"start": load, "end": load},
            "runnable": {"start": "1 + 5", "end": "2 + 6"},
            "rows": [
                {
                    "case": case,
                    "orm_p50_ms": 1.0,
                    "orm_p95_ms": 2.0,
                    "sql_p50_ms": 1.0,
                    "ratio": 1.0,
                    "same_answer": True,
                    "orm_cpu_p50_ms": 0.5,
                }
            ],
        }

    paths = []
    for only, case, load in (("search", "a", "9.00 8.00 7.00"), ("orgs", "b", "3.00 2.00 1.00")):
        path = tmp_path / f"{only}.json"
        path.write_text(json.dumps(part(only, case, load)))
        paths.append(path)
    merged = render_performance.merge(paths)
    assert [r["case"] for r in merged["rows"]] == ["a", "b"]
    assert merged["load"] == {"start": "9.00 8.00 7.00", "end": "3.00 2.00 1.00"}
    out = render_performance.table(merged)
    assert "`--only search`: d-search, load 9.00 8.00 7.00" in out
    assert "`--only orgs`: d-orgs, load 3.00 2.00 1.00" in out
    assert "runnable processes (at nice ≤ 0 + nice > 0) 1 + 5 at the start" in out
    assert "| a (CPU p50 0.50 ms) |" in out
