"""Models of the oversight app."""

from __future__ import annotations
