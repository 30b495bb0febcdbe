from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "communeos.core"
    label = "core"
    verbose_name = "Core"
