from __future__ import annotations

from django.urls import path

from chibo.training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/complete/", views.complete, name="complete"),
    path("certificates/new/", views.certificate_new, name="certificate_new"),
    path("posts/new/", views.post_new, name="post_new"),
    path("gaps/", views.gaps, name="gaps"),
    path("requirements/", views.requirements, name="requirements"),
    path("members/<str:code>/", views.member, name="member"),
]
