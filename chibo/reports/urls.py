from __future__ import annotations

from django.urls import path

from chibo.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("admissions/members.xlsx", views.admitted_export, name="admitted_export"),
    path("<str:kind>/", views.report, name="report"),
    path("<str:kind>/export/<str:fmt>/", views.export, name="export"),
]
