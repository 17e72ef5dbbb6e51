"""Models of the directives app."""

from __future__ import annotations
