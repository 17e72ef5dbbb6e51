"""Writes of the directives app: register, issue (auto-numbered), link, tasks, reports.

Every service checks the actor's right, validates, writes in one
transaction and records its audit entry there (docs/architecture.md).
The package re-exports every public name, so callers import from
``chibo.directives.services``:

- ``attachments``: uploaded files kept with a document or a report;
- ``terms``: the committee's terms (nhiệm kỳ);
- ``numbering``: numbers in the register, issuer codes, re-dating;
- ``links``: references between documents (cites, replaces, reports on);
- ``documents``: registering incoming and issuing outgoing documents;
- ``tasks``: tasks of a directive and their assignment to orgs;
- ``progress``: progress reports on a task (save, submit, review).
"""

from chibo.directives.services.attachments import MAX_ATTACHMENT_BYTES, FileIn, attachment_store
from chibo.directives.services.documents import (
    DUPLICATE,
    RecipientIn,
    document_issue,
    document_register_incoming,
    issuing_org_for,
)
from chibo.directives.services.links import (
    cited_symbols,
    document_link,
    record_link,
    resolve_reference,
)
from chibo.directives.services.numbering import check_redate, default_issuing_body, issuer_code_for
from chibo.directives.services.progress import report_review, report_save, report_submit
from chibo.directives.services.tasks import task_assign, task_create
from chibo.directives.services.terms import NO_TERM, term_create, term_on

__all__ = [
    "DUPLICATE",
    "MAX_ATTACHMENT_BYTES",
    "NO_TERM",
    "FileIn",
    "RecipientIn",
    "attachment_store",
    "check_redate",
    "cited_symbols",
    "default_issuing_body",
    "document_issue",
    "document_link",
    "document_register_incoming",
    "issuer_code_for",
    "issuing_org_for",
    "record_link",
    "report_review",
    "report_save",
    "report_submit",
    "resolve_reference",
    "task_assign",
    "task_create",
    "term_create",
    "term_on",
]
