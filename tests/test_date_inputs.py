"""Every date field reads and takes dd/mm/yyyy: none is the browser's date picker.

``<input type="date">`` shows the browser's own order: 12/07/2026 for 7 December
on an English browser (issue 17 found it on the sysadmin pages; the report
period fields had it too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import chibo

pytestmark = pytest.mark.database_free

ROOT = Path(chibo.__file__).parent


def test_no_template_or_widget_uses_the_browsers_date_picker() -> None:
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".html", ".py"} or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r'type=["\']?date["\'\s>]', r'input_type\s*=\s*["\']date["\']'):
            if re.search(pattern, text):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
