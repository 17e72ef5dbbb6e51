from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chibo.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Rules changed by another process are read again from the next request or task on.
        from django.core.signals import request_started
        from django_tasks.signals import task_started

        from chibo.core.rules import refresh_if_changed

        request_started.connect(refresh_if_changed, dispatch_uid="chibo-rules-request")
        task_started.connect(refresh_if_changed, dispatch_uid="chibo-rules-task")

        # Working days count the government's swaps kept in the database (core.calendar).
        from chibo.core import calendar

        calendar.install()
