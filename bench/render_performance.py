"""The bench table (case, chibo, floor, ratio, plan) from bench/scale.py's JSON, and the
generated part of docs/performance.md.

    python -m bench.render_performance var/bench/scale-sqlite-400000.json ... [--docs]
    python -m bench.render_performance --merge OUT.json PART.json PART.json ...

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
        f"start, {load.get('end', '?')} at the end"
        + _runnable(result.get("runnable"))
        + (f"; priority: {result['priority']}" if result.get("priority") else ""),
        "",
    ]
    if result.get("data"):  # how the database was made, when not by `chibo seed-demo` alone
        lines += [f"Data: {result['data']}", ""]
    for part in result.get("parts") or []:  # a run made of several (bench/scale.py --only)
        lines += [
            f"- `--only {part['only']}`: {part['date']}, load {part['load']['start']} → "
            f"{part['load']['end']}"
            + _runnable(part.get("runnable"))
            + (f"; {part['priority']}" if part.get("priority") else ""),
        ]
    if result.get("parts"):
        lines.append("")
    lines += [
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
        cpu = row.get("orm_cpu_p50_ms")
        case = row["case"] + (f" (CPU p50 {cpu:.2f} ms)" if cpu is not None else "")
        lines.append(
            f"| {case} | {_ms(row['orm_p50_ms'])} | {_ms(row['orm_p95_ms'])} | "
            f"{_ms(row['sql_p50_ms'])} | {row['ratio'] if row['ratio'] is not None else '–'} | "
            f"{row['same_answer']} | {target}{' — ' + verdict if target else ''} | {plan} |"
        )
    return "\n".join(lines)


def _runnable(runnable: dict[str, str] | None) -> str:
    if not runnable:
        return ""
    return (
        f"; runnable processes (at nice ≤ 0 + nice > 0) {runnable.get('start', '?')} at the "
        f"start, {runnable.get('end', '?')} at the end"
    )


def merge(paths: list[Path]) -> dict[str, Any]:
    """One run from several parts of bench/scale.py on the same database (``--only``), each
    part's date, load and runnable processes kept."""
    results = [json.loads(p.read_text()) for p in paths]
    first, last = results[0], results[-1]
    assert all((r["vendor"], r["members"]) == (first["vendor"], first["members"]) for r in results)
    return {
        **first,
        "date": first["date"],
        "load": {"start": first["load"]["start"], "end": last["load"]["end"]},
        "runnable": {
            "start": (first.get("runnable") or {}).get("start", "?"),
            "end": (last.get("runnable") or {}).get("end", "?"),
        },
        "seconds": round(sum(r.get("seconds", 0) for r in results), 1),
        "parts": [
            {k: r.get(k) for k in ("only", "date", "load", "runnable", "seconds", "priority")}
            for r in results
        ],
        "rows": [row for r in results for row in r["rows"]],
    }


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
    if argv[:1] == ["--merge"]:  # --merge OUT PART.json PART.json ...
        out = Path(argv[1])
        out.write_text(json.dumps(merge([Path(a) for a in argv[2:]]), indent=1, default=str))
        print(table(json.loads(out.read_text())))
        return
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
