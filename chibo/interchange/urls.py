from __future__ import annotations

app_name = "interchange"
urlpatterns: list = []
