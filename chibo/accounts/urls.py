from __future__ import annotations

from django.urls import path

from chibo.accounts import views, views_2fa, views_roles, views_tokens, views_users

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views_tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke_view, name="token_revoke"),
    path("2fa/enrol/", views_2fa.enrol, name="2fa_enrol"),
    path("2fa/enrol/new/", views_2fa.new_secret, name="2fa_new_secret"),
    path("2fa/verify/", views_2fa.verify, name="2fa_verify"),
    path("2fa/", views_2fa.recovery_codes, name="2fa_manage"),
    path("roles/", views_roles.role_list, name="roles"),
    path("roles/grant/", views_roles.role_grant_view, name="role_grant"),
    path("roles/<int:pk>/end/", views_roles.role_end_view, name="role_end"),
    path("roles/<int:pk>/revoke/", views_roles.role_revoke_view, name="role_revoke"),
    path("roles/<int:pk>/2fa-reset/", views_roles.twofactor_reset_view, name="role_2fa_reset"),
    path(
        "roles/requests/<int:pk>/approve/",
        views_roles.role_request_approve_view,
        name="role_request_approve",
    ),
    path(
        "roles/requests/<int:pk>/reject/",
        views_roles.role_request_reject_view,
        name="role_request_reject",
    ),
    path("users/new/", views_users.user_new, name="user_new"),
    path("invite/<str:uidb64>/<str:token>/", views_users.invite, name="invite"),
]
