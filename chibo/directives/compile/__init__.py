"""The 6-monthly compiled report (item 8 of 1000-CV/TU) and reminders before deadlines.

The report is an outgoing BC of the body that holds the directive in its
register, or of that committee's office (the seed's item 8: "Văn phòng Thành
ủy … báo cáo Thường trực Thành ủy"), laid out as that body's document
(``directives.documents``). A period that has not ended is compiled only as a
draft (dự thảo): no number is taken. Compiling a period again makes a new
version under the same number. One-off tasks due within the period are part
of its report.
"""

from __future__ import annotations

from chibo.directives.compile.compiling import compiled_docx, compiled_xlsx, report_compile
from chibo.directives.compile.content import (
    compile_content,
    compiled_file_name,
    default_recipients,
    report_period,
    tasks_for_period,
)
from chibo.directives.compile.reminders import REMIND_BEFORE_DAYS, remind_due

__all__ = [
    "REMIND_BEFORE_DAYS",
    "compile_content",
    "compiled_docx",
    "compiled_file_name",
    "compiled_xlsx",
    "default_recipients",
    "remind_due",
    "report_compile",
    "report_period",
    "tasks_for_period",
]
