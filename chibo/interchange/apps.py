from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "chibo.interchange"
    label = "interchange"
    verbose_name = _("Interchange")

    def ready(self) -> None:
        from chibo.core.worker import worker_died
        from chibo.interchange.jobs import job_worker_died

        worker_died.connect(job_worker_died, dispatch_uid="interchange.job_worker_died")
