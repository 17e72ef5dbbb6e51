"""The activity app's signals and hooks, in a module of their own: an app that listens connects
in its ``ready`` without importing the services (a data command's start-up, issue 22)."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent inside the refresh's transaction: the warnings of ``org``'s subtree were replaced
# (``activity.services``; keyword arguments ``org`` and ``as_of``).
warnings_refreshed = Signal()

# Keeps the activity overview's counts (``activity.selectors.overview_counts``) in a shared
# cache: set by the reports app, above this one, at start-up (``reports.cache.overview_counts``,
# renewed by the writes the counts read, like the dashboard's). Called as
# ``overview_keeper(actor, org, day, compute)``; None: the overview counts on every request.
overview_keeper: Any = None
