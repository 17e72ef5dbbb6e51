from __future__ import annotations

app_name = "admissions"
urlpatterns: list = []
