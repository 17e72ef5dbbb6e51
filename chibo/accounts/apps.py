from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "chibo.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # A user read with an earlier request's session is never this request's.
        from django.core.signals import request_started

        from chibo.accounts.backends import forget_read_with_session

        request_started.connect(forget_read_with_session, dispatch_uid="chibo-user-with-session")
