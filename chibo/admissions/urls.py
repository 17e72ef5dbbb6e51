from __future__ import annotations

from django.urls import path

from chibo.admissions import views

app_name = "admissions"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.register, name="register"),
    path("probation/", views.probation, name="probation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/<str:stage>/", views.step, name="step"),
    path("<int:pk>/override/", views.override, name="override"),
    path("<int:pk>/education/", views.education, name="education"),
    path(
        "<int:pk>/introducers/<int:introducer_id>/replace/",
        views.replace_introducer,
        name="replace_introducer",
    ),
    path("<int:pk>/decision-received/", views.decision_receipt, name="decision_receipt"),
    path("<int:pk>/member-history/", views.member_history, name="member_history"),
    path("<int:pk>/dossier/<str:kind>/", views.dossier_document, name="dossier"),
]
