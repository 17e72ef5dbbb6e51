from __future__ import annotations

from django.urls import path

from chibo.reports import record_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("<str:kind>/members/", record_views.members, name="records"),
    path("<str:kind>/members.xlsx", record_views.members_xlsx, name="records_xlsx"),
    path("<str:kind>/", views.report, name="report"),
    path("<str:kind>/export/<str:fmt>/", views.export, name="export"),
]
