from __future__ import annotations

app_name = "oversight"
urlpatterns: list = []
