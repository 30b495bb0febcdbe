from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "communeos.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from communeos.core import checks  # noqa: F401 - registers the system checks
