from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _

# Rows the dashboard's activity figures read that may change in place (no new id): for
# each, the fields the figures read and the lookup of its org. Saving one so that one of
# those fields changes (or deleting it) renews the tokens of its org and its ancestors
# (``reports.cache.bump_orgs``): a meeting's topic or minutes, a report's draft text, change
# no figure. A row without an org lookup (a task: its assignments' orgs) renews every entry.
CHANGED_IN_PLACE: dict[str, tuple[tuple[str, ...], str | None]] = {
    "activity.Meeting": (("org_id", "kind", "month"), "org__path"),
    # A cell's tracking start (cells judged, cells without data).
    "activity.Tracking": (("org_id", "start", "month"), "org__path"),
    "directives.Task": (
        ("deadline", "recurrence", "starts_on", "ends_on", "report_due_days"),
        None,
    ),
    "directives.Assignment": (("org_id", "task_id"), "org__path"),
    "directives.ProgressReport": (
        ("assignment_id", "period", "period_start", "period_end", "due_on", "status"),
        "assignment__org__path",
    ),
}
# New rows of these tables are found by their ids (``reports.cache.ACTIVITY_TABLES``).
CREATED_BY_ID = frozenset(
    {"activity.Meeting", "directives.Task", "directives.Assignment", "directives.ProgressReport"}
)


class ReportsConfig(AppConfig):
    name = "chibo.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Only what connecting needs is imported here: the services and the figures load
        # when first used (a data command's start-up, issue 22).
        from chibo.activity import signals as activity_signals
        from chibo.activity.signals import warnings_refreshed
        from chibo.core import bulk
        from chibo.directives import figures as directive_figures
        from chibo.reports import tallies
        from chibo.reports.cache import bump_generation, overview_counts

        # The compiled reports of directives quote reports' counts (directives is below reports).
        directive_figures.counter = _count_for_directives
        # The activity overview's counts kept like the dashboard's (activity is below reports).
        activity_signals.overview_keeper = overview_counts

        # A first import turns the tally triggers off and adds its events in one statement.
        bulk.triggers_replaced("members_memberevent", tallies.TRIGGERS, tallies.add_events_after)

        # An org moved: its subtree's events change ancestors in the tallies (same transaction).
        post_save.connect(
            _org_moved, sender=apps.get_model("orgs.OrgEvent"), dispatch_uid="reports-tallies"
        )
        warnings_refreshed.connect(bump_generation, dispatch_uid="reports-warnings-refreshed")

        for label in CHANGED_IN_PLACE:
            model = apps.get_model(label)
            uid = f"reports-{label}"
            pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
            post_save.connect(_after_save, sender=model, dispatch_uid=uid)
            pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)


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


def _read(sender: Any, pk: Any, using: str) -> tuple[tuple[Any, ...], str | None] | None:
    """The fields the figures read of the row ``pk`` as stored, and its org's path."""
    fields, org = CHANGED_IN_PLACE[sender._meta.label]
    row = (
        sender._default_manager.using(using)
        .filter(pk=pk)
        .values_list(*fields, *([org] if org else []))
        .first()
    )
    if row is None:
        return None
    return (tuple(row[: len(fields)]), row[len(fields)] if org else None)


def _before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if instance.pk is not None and not raw:
        instance._reports_stored = _read(sender, instance.pk, kwargs.get("using") or "default")


def _after_save(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A row saved: if a field the figures read changed, renew its org's tokens (the old
    org's too when it moved). A new row of a table versioned by its ids needs nothing."""
    from chibo.reports.cache import bump_orgs

    using = kwargs.get("using") or "default"
    before = getattr(instance, "_reports_stored", None)
    instance._reports_stored = None
    if raw or (created and sender._meta.label in CREATED_BY_ID):
        return
    after = _read(sender, instance.pk, using)
    if after is None or before is None or after[0] != before[0]:
        bump_orgs({(after or before or ((), None))[1], (before or after or ((), None))[1]}, using)


def _before_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A row deleted: its org's tokens (read before the row goes)."""
    from chibo.reports.cache import bump_orgs

    using = kwargs.get("using") or "default"
    stored = _read(sender, instance.pk, using)
    bump_orgs({stored[1] if stored else None}, using)
