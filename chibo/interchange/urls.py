from __future__ import annotations

from django.urls import path

from chibo.interchange import views, views_mapping

app_name = "interchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job"),
    path("jobs/<uuid:pk>/preview/", views.job_preview, name="preview"),
    path("jobs/<uuid:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<uuid:pk>/run/", views.job_run, name="run"),
    path("jobs/<uuid:pk>/mapping/", views_mapping.job_mapping, name="mapping"),
    path("jobs/<uuid:pk>/errors.xlsx", views.job_errors, name="errors"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("export/", views.export_view, name="export"),
]
