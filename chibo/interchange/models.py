"""Models of the interchange app."""

from __future__ import annotations
