from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "chibo.interchange"
    label = "interchange"
    verbose_name = _("Interchange")

    def ready(self) -> None:
        from chibo.core.worker import worker_died

        worker_died.connect(_job_worker_died, dispatch_uid="interchange.job_worker_died")


def _job_worker_died(sender: Any, orphan: Any, **kwargs: Any) -> None:
    """``jobs.job_worker_died``, imported when a worker dies (not at every start-up: issue 22)."""
    from chibo.interchange.jobs import job_worker_died

    job_worker_died(sender, orphan=orphan, **kwargs)
