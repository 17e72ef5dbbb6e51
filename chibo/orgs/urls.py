from __future__ import annotations

from django.urls import path

from chibo.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/merge/", views.merge, name="merge"),
    path("<str:code>/rename/", views.rename, name="rename"),
    path("<str:code>/close/", views.close, name="close"),
    path("<str:code>/abbreviation/", views.abbreviation, name="abbreviation"),
    path("<str:code>/new-child/", views.new_child, name="new_child"),
]
