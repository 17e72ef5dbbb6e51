"""The bench table (case, chibo, floor, ratio, plan) from bench/scale.py's JSON, and the
generated part of docs/performance.md.

    python -m bench.render_performance var/bench/scale-sqlite-400000.json ... [--docs]

``--docs`` copies each JSON to docs/bench/ (the figures the page shows) and rewrites the
part of docs/performance.md between the two ``bench:generated`` marks from every JSON in
docs/bench/. That part is never edited by hand: tests/test_performance_doc.py checks that
it is the rendering of docs/bench/.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
STORE = ROOT / "docs" / "bench"
BEGIN = "<!-- bench:generated begin (python -m bench.render_performance --docs) -->"
END = "<!-- bench:generated end -->"


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(result: dict[str, Any]) -> str:
    """One run as a Markdown table, with its size, database, date and load."""
    load = result.get("load") or {}
    lines = [
        f"**{result['vendor']}, {result['members']:,} members**, {result['date']}, "
        f"{result.get('machine', '')}, load (1/5/15 min) {load.get('start', '?')} at the "
        f"start, {load.get('end', '?')} at the end",
        "",
        "| case | chibo p50 ms | chibo p95 ms | floor p50 ms | ratio | same | target | plan |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for row in result["rows"]:
        target = ", ".join(
            f"{k} {'≥' if k == 'rows_per_s' else '≤'} {v:g}"
            for k, v in (row.get("target") or {}).items()
        )
        over = row.get("over_target") or []
        verdict = ("**over: " + "; ".join(over) + "**") if over else (target and "met")
        plan = (row.get("plan") or "").replace("|", "/")
        lines.append(
            f"| {row['case']} | {_ms(row['orm_p50_ms'])} | {_ms(row['orm_p95_ms'])} | "
            f"{_ms(row['sql_p50_ms'])} | {row['ratio'] if row['ratio'] is not None else '–'} | "
            f"{row['same_answer']} | {target}{' — ' + verdict if target else ''} | {plan} |"
        )
    return "\n".join(lines)


def section() -> str:
    runs = sorted(STORE.glob("*.json"))
    parts = [BEGIN, ""]
    for path in runs:
        parts += [f"`docs/bench/{path.name}`", "", table(json.loads(path.read_text())), ""]
    if not runs:
        parts += ["(no run stored yet)", ""]
    parts.append(END)
    return "\n".join(parts)


def docs_text(current: str) -> str:
    start, end = current.index(BEGIN), current.index(END) + len(END)
    return current[:start] + section() + current[end:]


def main(argv: list[str]) -> None:
    docs = "--docs" in argv
    for name in (a for a in argv if a != "--docs"):
        result = json.loads(Path(name).read_text())
        print(table(result), end="\n\n")
        if docs:
            STORE.mkdir(exist_ok=True)
            vendor = result["vendor"].replace(" ", "-")
            shutil.copy(name, STORE / f"scale-{vendor}-{result['members']}.json")
    if docs:
        DOC.write_text(docs_text(DOC.read_text()))
        print(f"rewrote the generated part of {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
