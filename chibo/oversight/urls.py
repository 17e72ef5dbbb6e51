from __future__ import annotations

from django.urls import path

from chibo.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/conclude/", views.inspection_conclude, name="inspection_conclude"),
    path("inspections/<int:pk>/status/", views.inspection_status, name="inspection_status"),
    path("inspections/<int:pk>/followups/new/", views.followup_add, name="followup_add"),
    path(
        "inspections/<int:pk>/followups/<int:fid>/done/", views.followup_done, name="followup_done"
    ),
    path("inspections/<int:pk>/attach/", views.attach, name="attach"),
    path("inspections/<int:pk>/files/<int:fid>/", views.attachment, name="attachment"),
    path("coverage/", views.coverage, name="coverage"),
    path("discipline/", views.cases, name="cases"),
    path("discipline/new/", views.case_new, name="case_new"),
    path("discipline/<int:pk>/", views.case, name="case"),
    path("discipline/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("members/<str:code>/", views.member, name="member"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/<str:code>/<int:year>/", views.grade_cell, name="grade_cell"),
    path("evaluation/<str:code>/<int:year>/confirm/", views.confirm, name="confirm"),
]
