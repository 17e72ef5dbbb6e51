from __future__ import annotations

from django.urls import path

from chibo.directives import views

app_name = "directives"
urlpatterns = [
    path("", views.register, name="register"),
    path("incoming/", views.incoming, name="incoming"),
    path("outgoing/", views.outgoing, name="outgoing"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("terms/", views.terms, name="terms"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/attachment/", views.attachment, name="attachment"),
    path("<int:pk>/docx/", views.document_docx, name="document_docx"),
    path("<int:pk>/tasks/new/", views.task_new, name="task_new"),
    path("<int:pk>/status/<str:period>/", views.status, name="status"),
    path("<int:pk>/compile/", views.compile_report, name="compile"),
    path("compiled/<int:pk>/<str:fmt>/", views.compiled_file, name="compiled_file"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("assignments/<int:pk>/report/<str:period>/", views.report, name="report"),
    path("reports/<int:pk>/review/", views.review, name="review"),
]
