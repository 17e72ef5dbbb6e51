"""What an import found and did: row-level problems and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Problems kept in memory / on a job: enough to fix a file, bounded for a broken one.
MAX_PROBLEMS = 5000


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    value: str
    message: str
    fatal: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "fatal": self.fatal,
        }

    def line(self) -> str:
        where = f"{self.sheet}!{self.row}"
        if self.column:
            where += f" [{self.column}]"
        value = f" «{self.value}»" if self.value else ""
        kind = "" if self.fatal else "(cảnh báo) "
        return f"{where}{value}: {kind}{self.message}"


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0
    # Seconds per phase (members): parse (open + read the cells), validate
    # (rows, existing members, diffs), write (the transaction, commit included).
    phases: dict[str, float] = field(default_factory=dict)
    # What the mapping layer decided (mapping.Plan): header row, each column's field.
    plan: Any = None

    @property
    def ok(self) -> bool:
        return not any(p.fatal for p in self.problems)

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.fatal)

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.truncated = True
            if problem.fatal and self.ok:  # never let truncation hide that there are errors
                self.problems[-1] = problem

    def counts(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": self.events,
            "errors": self.error_count,
        }
