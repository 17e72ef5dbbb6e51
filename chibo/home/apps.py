from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """Each role's start page ("Việc cần làm"), the menu, notifications and the installable app."""

    name = "chibo.home"
    label = "home"
    verbose_name = _("Home")
