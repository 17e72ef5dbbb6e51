from __future__ import annotations

from django.urls import path

from chibo.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/attendance/", views.sheet_save, name="sheet_save"),
    path("meetings/<int:pk>/attendance/<str:code>/", views.row_save, name="row_save"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/refresh/", views.warnings_refresh, name="warnings_refresh"),
    path("tracking/", views.tracking_page, name="tracking"),
    path("dues/", views.dues_page, name="dues"),
    path("transfers/", views.transfers_page, name="transfers"),
    path("graduates/<str:code>/transfer/", views.graduate_transfer, name="graduate_transfer"),
    path("transfers/<int:event_id>/letter/", views.letter, name="letter"),
    path("transfers/<int:event_id>/late-decision/", views.late_decision, name="late_decision"),
    path("transfers/<int:event_id>/letter/docx/", views.letter_docx, name="letter_docx"),
    path("reasons/", views.reasons, name="reasons"),
    path("party-groups/", views.party_groups, name="party_groups"),
]
