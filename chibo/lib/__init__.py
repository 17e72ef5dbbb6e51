"""Pure helpers that need no Django (tested in tests/lib)."""
