from __future__ import annotations

from django.urls import path

from chibo.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("admit/", views.admit, name="admit"),
    path("past-admission/", views.past_admission, name="past_admission"),
    path("receive/", views.receive, name="receive"),
    path("incoming/", views.incoming, name="incoming"),
    path("party-badges/", views.party_badges, name="party_badges"),
    path("incoming/<str:code>/", views.arrive, name="arrive"),
    # Before <code>/: "pick" is not a member code.
    path("pick/", views.pick, name="pick"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/events/<str:kind>/", views.event, name="event"),
]
