from __future__ import annotations

app_name = "activity"
urlpatterns: list = []
