"""The activity app's signals, in a module of their own: an app that listens connects in its
``ready`` without importing the services (a data command's start-up, issue 22)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the refresh's transaction: the warnings of ``org``'s subtree were replaced
# (``activity.services``; keyword arguments ``org`` and ``as_of``).
warnings_refreshed = Signal()
