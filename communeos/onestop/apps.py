from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "communeos.onestop"
    verbose_name = _("One-stop shop")
