from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Rows the dashboard's figures read that may change in place (no new id):
# saving or deleting one renews the cache generation (reports/cache.py).
CHANGED_IN_PLACE = (
    "activity.Meeting",
    "activity.Tracking",  # a cell's tracking start (cells judged, cells without data)
    "directives.Task",
    "directives.Assignment",
    "directives.ProgressReport",
)


class ReportsConfig(AppConfig):
    name = "chibo.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Only what connecting needs is imported here: the services and the figures load
        # when first used (a data command's start-up, issue 22).
        from chibo.activity.signals import warnings_refreshed
        from chibo.core import bulk
        from chibo.directives import figures as directive_figures
        from chibo.reports import tallies
        from chibo.reports.cache import bump_generation

        # The compiled reports of directives quote reports' counts (directives is below reports).
        directive_figures.counter = _count_for_directives

        # A first import turns the tally triggers off and adds its events in one statement.
        bulk.triggers_replaced("members_memberevent", tallies.TRIGGERS, tallies.add_events_after)

        # An org moved: its subtree's events change ancestors in the tallies (same transaction).
        post_save.connect(
            _org_moved, sender=apps.get_model("orgs.OrgEvent"), dispatch_uid="reports-tallies"
        )
        warnings_refreshed.connect(bump_generation, dispatch_uid="reports-warnings-refreshed")

        for label in CHANGED_IN_PLACE:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(bump_generation, sender=model, dispatch_uid=f"reports-{label}")


def _count_for_directives(root: Any, start: Any, end: Any) -> Any:
    """``reports.figures.directive_figures``, imported on first use."""
    from chibo.reports.figures import directive_figures

    return directive_figures(root, start, end)


def _org_moved(sender: object, instance: Any, created: bool, **kwargs: Any) -> None:
    """An org moved (its ``OrgEvent`` saved by ``org_move``, in the move's transaction): its
    subtree's events change ancestors in the tallies (``reports.tallies.moved``)."""
    from chibo.orgs.models import Org, OrgEvent
    from chibo.reports import tallies

    if not created or instance.kind != OrgEvent.Kind.MOVED:
        return
    old_parent = Org.objects.get(code=instance.data["from"])
    tallies.moved(instance.org, old_parent, using=kwargs.get("using") or "default")
