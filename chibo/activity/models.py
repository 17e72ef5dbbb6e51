"""Models of the activity app."""

from __future__ import annotations
