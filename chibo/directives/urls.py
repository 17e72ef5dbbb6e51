from __future__ import annotations

app_name = "directives"
urlpatterns: list = []
