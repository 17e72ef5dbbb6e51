"""Forms of the directives UI; they hand clean data to directives.services.

Labels are lazy throughout: evaluated per request, in the user's language. The
package re-exports every public name, so callers use ``chibo.directives.forms``:

- ``fields``: shared fields and parsers (symbols, attachments, signature blocks);
- ``documents``: the register's search, incoming and outgoing documents;
- ``tasks``: tasks, progress reports, their review, compiling a report;
- ``terms``: the committee's terms.
"""

from chibo.directives.forms.documents import IncomingForm, OutgoingForm, SearchForm
from chibo.directives.forms.fields import (
    SIGNATURE_CHOICES,
    TITLE_CHOICES,
    TitleField,
    signature_fields,
    signature_for_value,
)
from chibo.directives.forms.tasks import (
    GROUPS,
    CompileForm,
    ReportForm,
    ReviewForm,
    TaskForm,
    figures_text,
)
from chibo.directives.forms.terms import TermForm

__all__ = [
    "GROUPS",
    "SIGNATURE_CHOICES",
    "TITLE_CHOICES",
    "CompileForm",
    "IncomingForm",
    "OutgoingForm",
    "ReportForm",
    "ReviewForm",
    "SearchForm",
    "TaskForm",
    "TermForm",
    "TitleField",
    "figures_text",
    "signature_fields",
    "signature_for_value",
]
