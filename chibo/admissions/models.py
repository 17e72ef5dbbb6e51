"""Models of the admissions app."""

from __future__ import annotations
