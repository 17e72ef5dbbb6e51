"""docs/performance.md's bench tables are generated from the stored runs (docs/bench/*.json),
never edited by hand."""

from __future__ import annotations

from bench import render_performance


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
