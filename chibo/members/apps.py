from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "chibo.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # What the org tree needs of members (orgs may not import members: orgs.hooks).
        from chibo.members import services
        from chibo.members.selectors import check_no_members, on_rolls_in
        from chibo.orgs.hooks import hooks

        hooks.on_rolls = on_rolls_in
        hooks.merge_steps.append(services.members_reassign)
        hooks.close_checks.append(check_no_members)
