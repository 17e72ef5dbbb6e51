"""How long a certificate counts: one definition for every check, page, list and reminder.

The awareness-course certificate (giấy chứng nhận bồi dưỡng nhận thức về Đảng) is
"valid 60 months from the date of issue" (HD 06-HD/TW point 5.4; rule
``admission.certificate_valid_months``). chibo reads it as: the certificate counts up
to and including the same day of the month 60 months later (``add_months``, clamped to
the month's end), and not one day more. Issued 31/05/2021: valid through 31/05/2026,
expired on 01/06/2026. The cell's review (``admissions.checks.check_certificate``), the
expiry shown on the candidate page, the API and the board (``admissions.path``), the
reminders (``admissions.remind``) and the training records (``training.selectors``) all
call ``certificate_valid_until``.
"""

from __future__ import annotations

import datetime as dt

from chibo.core.rules import Rule, rule_in_force
from chibo.lib.dates import add_months

AWARENESS_RULE = "admission.certificate_valid_months"


def validity_rule(on: dt.date, key: str = AWARENESS_RULE) -> Rule:
    """The validity rule in force on the day a certificate is judged (``RuleMissing`` if none)."""
    return rule_in_force(key, on=on)


def certificate_valid_until(issued_on: dt.date, on: dt.date, key: str = AWARENESS_RULE) -> dt.date:
    """The last day a certificate issued on ``issued_on`` counts, judged on ``on``."""
    return add_months(issued_on, int(validity_rule(on, key).value))


def certificate_valid_on(issued_on: dt.date, on: dt.date, key: str = AWARENESS_RULE) -> bool:
    """Whether the certificate counts on ``on`` (from its issue through its last valid day)."""
    return issued_on <= on <= certificate_valid_until(issued_on, on, key)
