from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "chibo.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # A purged candidate's course enrolments keep their counts but lose the name
        # (admissions.retention; admissions may not import training).
        from chibo.admissions import retention
        from chibo.training.services import enrolments_anonymize

        retention.ANONYMIZERS.append(enrolments_anonymize)
