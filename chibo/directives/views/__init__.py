"""The register, a document's page, tasks, unit reporting, the status board and compilation."""

from __future__ import annotations

from chibo.directives.views.assignments import assignment, my_tasks, report, review
from chibo.directives.views.registry import (
    PAGE_SIZE,
    attachment,
    document,
    document_docx,
    incoming,
    outgoing,
    register,
    terms,
)
from chibo.directives.views.tasks import (
    compile_report,
    compiled_download,
    compiled_file,
    status,
    task_new,
)

__all__ = [
    "PAGE_SIZE",
    "assignment",
    "attachment",
    "compile_report",
    "compiled_download",
    "compiled_file",
    "document",
    "document_docx",
    "incoming",
    "my_tasks",
    "outgoing",
    "register",
    "report",
    "review",
    "status",
    "task_new",
    "terms",
]
