"""The ``chibo`` console script: Django's manage.py for this project.

A database that is busy (another process holds SQLite's write lock) or a full
disk is said in one line, in Vietnamese, with exit code 1 — not a traceback:
both are the machine's state, not a bug (core/busy.py).
"""

from __future__ import annotations

import os
import sys

# Commands that read and write data and serve no page (their system checks are off too):
# the API's app (django-ninja, pydantic) is left out of their start-up (issue 22).
DATA_COMMANDS = frozenset({"import", "export", "seed-demo", "demo-status"})


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    argv = argv if argv is not None else sys.argv
    if len(argv) > 1 and argv[1] in DATA_COMMANDS:
        _without_api_app()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except Exception as exc:
        from chibo.core.busy import busy_message, disk_full_message, is_busy, is_disk_full

        if not (is_busy(exc) or is_disk_full(exc)):
            raise
        from django.conf import settings
        from django.utils import translation

        with translation.override(settings.LANGUAGE_CODE):
            line = busy_message() if is_busy(exc) else disk_full_message()
        sys.stderr.write(f"chibo: {line}\n")
        sys.exit(1)


def _without_api_app() -> None:
    """A data command serves no page: django-ninja (and pydantic, ~0.1 s of each start) stays
    out of its process. Web processes keep the app (the API's docs page needs it)."""
    from django.conf import settings

    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "ninja"]


if __name__ == "__main__":
    main()
