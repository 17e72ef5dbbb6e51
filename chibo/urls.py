from __future__ import annotations

from django.urls import include, path

from chibo.api import api
from chibo.core.views import favicon

urlpatterns = [
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("chibo.accounts.urls")),
    path("orgs/", include("chibo.orgs.urls")),
    path("members/", include("chibo.members.urls")),
    path("admissions/", include("chibo.admissions.urls")),
    path("activity/", include("chibo.activity.urls")),
    path("directives/", include("chibo.directives.urls")),
    path("reports/", include("chibo.reports.urls")),
    path("interchange/", include("chibo.interchange.urls")),
    path("oversight/", include("chibo.oversight.urls")),
    path("training/", include("chibo.training.urls")),
    path("", include("chibo.core.urls")),
    path("", include("chibo.home.urls")),
]

handler403 = "chibo.core.views.permission_denied"
handler404 = "chibo.core.views.page_not_found"
handler500 = "chibo.core.views.server_error"
