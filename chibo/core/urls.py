from __future__ import annotations

from django.urls import path

from chibo.core import views

app_name = "core"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
]
