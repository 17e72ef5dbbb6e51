from __future__ import annotations

from django.urls import include, path

from chibo.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("chibo.accounts.urls")),
    path("orgs/", include("chibo.orgs.urls")),
    path("members/", include("chibo.members.urls")),
    path("", include("chibo.core.urls")),
]

handler403 = "chibo.core.views.permission_denied"
handler404 = "chibo.core.views.page_not_found"
